import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { generateHashKey, generateSigningJwk } from '../../scripts/dev/keys';
import { freePort } from '../../scripts/dev/ports';

const ROOT = join(__dirname, '..', '..');

export interface Ports {
  readonly port: number;
  readonly dynamoDb: number;
  readonly ses: number;
}

export interface RunningStart {
  readonly child: ChildProcess;
  readonly ports: Ports;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * `npm start` as a terminal would run it: its own process group, so a test can send Ctrl-C to
 * the whole group. Its command (package.json) is run directly because npm/npx report a SIGINT as
 * exit 130 whatever start.ts itself returns.
 */
export async function launchStart(dataDir: string, extraEnv: Record<string, string> = {}): Promise<RunningStart> {
  const [port, dynamoDb, ses] = (await distinctFreePorts(3)) as [number, number, number];
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_LOCAL_PORT: String(dynamoDb),
      SES_LOCAL_PORT: String(ses),
      DYNAMODB_LOCAL_DATA_DIR: dataDir,
      START_DEBUG: 'true',
      // Keys in the environment keep the test from writing under .keys/.
      JWT_PRIVATE_KEY: JSON.stringify(await generateSigningJwk('ES256')),
      REFRESH_TOKEN_HASH_KEY: generateHashKey(),
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started: RunningStart = { child, ports: { port, dynamoDb, ses }, exited, output: () => output };
  const deadline = Date.now() + 90_000;
  while (!/Auth service ready at/.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      killGroup(started);
      throw new Error(`npm start was not ready within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return started;
}

export function pidOf(start: RunningStart, name: string): number {
  const match = new RegExp(`\\[start\\] ${name} pid (\\d+)`).exec(start.output());
  if (!match) throw new Error(`start did not print the pid of ${name}:\n${start.output()}`);
  return Number(match[1]);
}


/** Ends npm start and everything in its process group at once (a test's clean-up). */
export function killGroup(start: RunningStart): void {
  const { child } = start;
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
