import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHashKey, generateSigningJwk } from '../../scripts/dev/keys';
import { freePort } from '../../scripts/dev/ports';

const ROOT = join(__dirname, '..', '..');

interface Ports {
  readonly port: number;
  readonly dynamoDb: number;
  readonly ses: number;
}

interface RunningStart {
  readonly child: ChildProcess;
  readonly ports: Ports;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

let running: RunningStart | undefined;
let dataDir: string;

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
async function launchStart(): Promise<RunningStart> {
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
  running = started;
  const deadline = Date.now() + 90_000;
  while (!/Auth service ready at/.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited before it was ready:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start was not ready within 90 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return started;
}

function pidOf(start: RunningStart, name: string): number {
  const match = new RegExp(`\\[start\\] ${name} pid (\\d+)`).exec(start.output());
  if (!match) throw new Error(`start did not print the pid of ${name}:\n${start.output()}`);
  return Number(match[1]);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function exitWithin(start: RunningStart, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`npm start still running after ${ms} ms:\n${start.output()}`)), ms);
  });
  try {
    return await Promise.race([start.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('npm start lives and dies whole', () => {
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'start-test-dynamodb-'));
  });

  afterEach(() => {
    const child = running?.child;
    running = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops DynamoDB Local and the SES emulator and exits 1 naming serverless-offline when serverless-offline dies on its own', async () => {
    const start = await launchStart();
    expect(await isListening(start.ports.dynamoDb)).toBe(true);

    process.kill(pidOf(start, 'serverless-offline'), 'SIGKILL');
    const exit = await exitWithin(start, 20_000);

    expect(exit).toEqual({ code: 1, signal: null });
    expect(start.output()).toMatch(/serverless-offline exited on its own \(signal SIGKILL\)/);
    expect(await isListening(start.ports.dynamoDb)).toBe(false);
    expect(await isListening(start.ports.ses)).toBe(false);
    expect(await isListening(start.ports.port)).toBe(false);
  }, 120_000);

  it('stops everything and exits 0 on Ctrl-C', async () => {
    const start = await launchStart();
    expect(await isListening(start.ports.ses)).toBe(true);

    // A terminal's Ctrl-C reaches the whole foreground group, children included.
    process.kill(-start.child.pid!, 'SIGINT');
    const exit = await exitWithin(start, 20_000);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(start.output()).not.toMatch(/exited on its own/);
    expect(await isListening(start.ports.dynamoDb)).toBe(false);
    expect(await isListening(start.ports.ses)).toBe(false);
    expect(await isListening(start.ports.port)).toBe(false);
  }, 120_000);
});
