import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeExit, exitOf, type ChildExit } from './child-exit';
import { compileCacheEnv } from './cache';

export interface OfflineServer {
  readonly baseUrl: string;
  readonly pid: number;
  /**
   * The Unix socket of serverless-offline's Lambda Invoke API (never a TCP port: a web page must not
   * be able to call a handler with an event of its choosing). `invoke` calls through it.
   */
  readonly invokeSocket: string;
  /** Settles when serverless-offline exits, for whatever reason (including `stop()`). */
  readonly exited: Promise<ChildExit>;
  /** Everything serverless-offline and the functions printed so far (logs, EMF metric lines). */
  output(): string;
  /** Lambda's Invoke API: runs the function `functionName` (e.g. jwt-auth-dev-jwks) with `event`. */
  invoke(functionName: string, event: unknown): Promise<{ status: number; payload: string }>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Runs `serverless offline` (stage dev) with the given environment and resolves once it serves.
 * It runs in its own process group so stopping it also stops whatever it started.
 */
export async function startOffline({
  port,
  env,
  stage = 'dev',
  serviceDir = ROOT,
  inheritOutput = false,
  timeoutMs = 90_000,
}: {
  port: number;
  env: Record<string, string>;
  /** The folder of serverless.yml (this project's, unless a test brings its own). */
  serviceDir?: string;
  stage?: string;
  inheritOutput?: boolean;
  timeoutMs?: number;
}): Promise<OfflineServer> {
  // A folder of our own (mode 0700) keeps the socket private and its path short (Unix sockets allow ~107 bytes).
  const socketDir = mkdtempSync(join(tmpdir(), 'jwt-auth-offline-'));
  const invokeSocket = join(socketDir, 'invoke.sock');
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'offline', 'start', '--stage', stage], {
    cwd: serviceDir,
    env: {
      ...process.env,
      ...compileCacheEnv(),
      ...env,
      AUTH_LOCAL_DEV: 'true',
      PORT: String(port),
      OFFLINE_LAMBDA_SOCKET: invokeSocket,
      SLS_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (inheritOutput) process.stdout.write(chunk);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const baseUrl = `http://127.0.0.1:${port}/${stage}`;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        // The leader is gone; whatever it left in its process group goes too.
        killGroup('SIGKILL');
        return resolve();
      }
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return resolve();
      }
      setTimeout(() => killGroup('SIGKILL'), 5000).unref();
    });

  // A safety net: serverless-offline and its workers end with this process.
  const killOnExit = () => killGroup('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => {
    process.off('exit', killOnExit);
    rmSync(socketDir, { recursive: true, force: true });
  });

  const deadline = Date.now() + timeoutMs;
  while (!/Server ready/.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      killGroup('SIGKILL');
      throw new Error(`serverless offline exited (${describeExit({ code: child.exitCode, signal: child.signalCode })}):\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`serverless offline did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const invoke = (functionName: string, event: unknown) => invokeLambda(invokeSocket, functionName, event);
  return { baseUrl, pid: child.pid!, invokeSocket, exited: exitOf(child), output: () => output, invoke, stop };
}

/** A call of Lambda's Invoke API on serverless-offline's Unix socket. */
export function invokeLambda(socketPath: string, functionName: string, event: unknown): Promise<{ status: number; payload: string }> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, method: 'POST', path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations` }, (response) => {
      let payload = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (payload += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, payload }));
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end(JSON.stringify(event));
  });
}
