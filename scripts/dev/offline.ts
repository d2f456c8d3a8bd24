import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describeExit, exitOf, type ChildExit } from './child-exit';

export interface OfflineServer {
  readonly baseUrl: string;
  readonly pid: number;
  /** Settles when serverless-offline exits, for whatever reason (including `stop()`). */
  readonly exited: Promise<ChildExit>;
  /** Everything serverless-offline and the functions printed so far (logs, EMF metric lines). */
  output(): string;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

/**
 * Runs `serverless offline` (stage dev) with the given environment and resolves once it serves.
 * It runs in its own process group so stopping it also stops the workers it started.
 */
export async function startOffline({
  port,
  lambdaPort,
  env,
  stage = 'dev',
  inheritOutput = false,
  timeoutMs = 90_000,
}: {
  port: number;
  lambdaPort: number;
  env: Record<string, string>;
  stage?: string;
  inheritOutput?: boolean;
  timeoutMs?: number;
}): Promise<OfflineServer> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'), 'offline', 'start', '--stage', stage], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      AUTH_LOCAL_DEV: 'true',
      PORT: String(port),
      OFFLINE_LAMBDA_PORT: String(lambdaPort),
      ESBUILD_WORK_FOLDER: `.esbuild/offline-${port}`,
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
  child.once('exit', () => process.off('exit', killOnExit));

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
  return { baseUrl, pid: child.pid!, exited: exitOf(child), output: () => output, stop };
}
