import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ROOT, STAGE } from './env';
import { msSince } from './stats';
import { readZip } from './zip';

/** One function as `serverless package` built it, unzipped for loading. */
export interface PackagedFunction {
  readonly name: string;
  /** e.g. handlers/authorizer.handler, from serverless.yml. */
  readonly handler: string;
  /** Absolute path of the unzipped handler module. */
  readonly modulePath: string;
  readonly exportName: string;
  readonly zipBytes: number;
  /** Uncompressed size of the handler module in the artifact. */
  readonly bundleBytes: number;
}

export interface PackageResult {
  /** The command as a person would type it in the repository. */
  readonly command: string;
  readonly seconds: number;
  readonly functions: readonly PackagedFunction[];
}

// Build output and local state that the packaging neither needs nor may share with a running `npm start`.
const NOT_COPIED = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.build', '.dynamodb', '.keys', 'coverage', 'docs']);

/**
 * Runs `npx serverless package --stage dev` and unzips each function's artifact.
 *
 * It runs in a snapshot of the repository (node_modules linked), so it neither races a
 * serverless-offline that builds into the repository's .esbuild/ nor overwrites .serverless/.
 */
export async function packageService({
  workDir,
  env,
  params = {},
}: {
  workDir: string;
  env: Record<string, string>;
  /** Deploy parameters (`--param="name=value"`), e.g. the public keys the authorizer is deployed with. */
  params?: Record<string, string>;
}): Promise<PackageResult> {
  const snapshot = join(workDir, 'service');
  const output = join(workDir, 'artifacts');
  cpSync(ROOT, snapshot, {
    recursive: true,
    filter: (source) => {
      const top = relative(ROOT, source).split(sep)[0] ?? '';
      return !NOT_COPIED.has(top) && !top.startsWith('.bench');
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
  // The arm64 argon2 tarball (infra/plugins/native-packages.js) is fetched once, not on every run.
  mkdirSync(join(ROOT, '.build', 'native'), { recursive: true });
  mkdirSync(join(snapshot, '.build'), { recursive: true });
  symlinkSync(join(ROOT, '.build', 'native'), join(snapshot, '.build', 'native'), 'dir');

  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`);
  const args = ['serverless', 'package', '--stage', STAGE, '--package', output, ...paramArgs];
  const started = process.hrtime.bigint();
  // The CLI itself rather than npx: under `npm run`, npx would read npm's own settings from the environment.
  const cli = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
  await run(process.execPath, [cli, ...args.slice(1)], snapshot, { ...process.env, ...env, SLS_TELEMETRY_DISABLED: '1' } as Record<string, string>);
  const seconds = msSince(started) / 1000;

  const state = JSON.parse(readFileSync(join(output, 'serverless-state.json'), 'utf8')) as {
    service: { functions: Record<string, { handler: string }> };
  };
  const functions = Object.entries(state.service.functions).map(([name, { handler }]) => {
    const zipPath = join(output, `${name}.zip`);
    const exportAt = handler.lastIndexOf('.');
    const moduleFile = `${handler.slice(0, exportAt)}.js`;
    const directory = join(workDir, 'functions', name);
    const files = readZip(zipPath);
    for (const [file, content] of files) {
      mkdirSync(dirname(join(directory, file)), { recursive: true });
      writeFileSync(join(directory, file), content);
    }
    const module = files.get(moduleFile);
    if (!module) throw new Error(`${name}.zip has no ${moduleFile} (it holds ${[...files.keys()].join(', ')})`);
    return {
      name,
      handler,
      modulePath: join(directory, moduleFile),
      exportName: handler.slice(exportAt + 1),
      zipBytes: readFileSync(zipPath).length,
      bundleBytes: module.length,
    };
  });
  const shownEnv = Object.entries(env).map(([key, value]) => `${key}=${value} `).join('');
  const shownParams = Object.keys(params).map((name) => ` --param="${name}=<${name}>"`).join('');
  return { command: `${shownEnv}npx ${args.slice(0, 4).join(' ')} --package <dir>${shownParams}`, seconds, functions };
}

function run(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output}`))));
  });
}
