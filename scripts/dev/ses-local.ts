import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { exitOf, type ChildExit } from './child-exit';
import { compileCacheEnv } from './cache';

export interface SesLocal {
  /** SES v2 API endpoint; GET <endpoint>/store lists every email it kept, and its root page is a web inbox. */
  readonly endpoint: string;
  readonly pid: number;
  /** Settles when the emulator exits, for whatever reason (including `stop()`). */
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

const CLI = join(__dirname, '..', '..', 'node_modules', 'aws-ses-v2-local', 'dist', 'cli.js');

/**
 * The emulator has no idea of a parent, so it runs behind a watchdog on its stdin: when this
 * process ends in any way (even SIGKILL), the pipe closes and the emulator exits with it.
 * The CLI reads its flags with yargs' hideBin, so argv[1] must look like a script path.
 */
const WATCHDOG = `
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
require(process.argv[1]);
`;

export const sesLocalEndpoint = (port: number): string => `http://127.0.0.1:${port}`;

/** Starts aws-ses-v2-local on 127.0.0.1:`port` and resolves once GET /store answers. */
export async function startSesLocal({ port, timeoutMs = 30_000 }: { port: number; timeoutMs?: number }): Promise<SesLocal> {
  const child: ChildProcess = spawn(process.execPath, ['-e', WATCHDOG, '--', CLI, '--port', String(port), '--host', '127.0.0.1'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...compileCacheEnv() },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = exitOf(child);
  child.once('error', (error) => (output += `\n${error.message}`));

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      timer.unref();
      await exited;
      clearTimeout(timer);
    }
  };

  const endpoint = sesLocalEndpoint(port);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`SES emulator (aws-ses-v2-local) exited (code ${child.exitCode}) before it answered on ${endpoint}:\n${output}`);
    }
    if (await answers(`${endpoint}/store`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`SES emulator (aws-ses-v2-local) did not answer on ${endpoint} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, pid: child.pid!, exited, stop };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
