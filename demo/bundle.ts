import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type Esbuild = typeof import('esbuild');

const ENTRY = join('demo', 'app.ts');

/**
 * The folder that holds demo/app.ts: up from this module (the serverless-esbuild bundle runs
 * from .esbuild/.build/handlers) or from the working directory.
 */
function findSourceRoot(): string | undefined {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (existsSync(join(dir, ENTRY))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

let script: Promise<string | undefined> | undefined;

/**
 * The browser script of the demo: demo/app.ts and the client, bundled by esbuild once per cold
 * start. The sources and esbuild are there under `npm start` and in tests, not in a deployed
 * package, where this resolves to undefined and the demo is not served.
 */
export function demoScript(): Promise<string | undefined> {
  script ??= build().catch((error: unknown) => {
    script = undefined;
    throw error;
  });
  return script;
}

async function build(): Promise<string | undefined> {
  const root = findSourceRoot();
  if (!root) return undefined;
  let esbuild: Esbuild;
  try {
    // Resolved at run time from the project, so that serverless-esbuild leaves esbuild (a native binary) out of the bundle.
    esbuild = createRequire(join(root, 'package.json'))('esbuild') as Esbuild;
  } catch {
    return undefined;
  }
  const result = await esbuild.build({
    entryPoints: [join(root, ENTRY)],
    tsconfig: join(root, 'demo', 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
