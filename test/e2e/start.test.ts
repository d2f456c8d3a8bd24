import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchStart, pidOf, type RunningStart } from '../support/npm-start';

let running: RunningStart | undefined;
let dataDir: string;

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
    const start = (running = await launchStart(dataDir));
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
    const start = (running = await launchStart(dataDir));
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
