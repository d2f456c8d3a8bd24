/**
 * `npm start` as a newcomer runs it: how long until it says it is ready, on a fresh clone and on a
 * second start, and how much memory the whole stack (npm, start.ts, DynamoDB Local, the SES
 * emulator, serverless-offline and anything they started) holds while it serves a sustained,
 * mixed load for a given time.
 *
 * A fresh start has none of what a first start leaves behind: the offline bundles (a new
 * ESBUILD_WORK_FOLDER), the compiled DynamoDB Local launcher and Node's compile cache (a new
 * JWT_AUTH_LOCAL_CACHE), the configuration validator serverless caches (a new
 * SLS_SCHEMA_CACHE_BASE_DIR) and DynamoDB Local's data. A second start follows it with all of
 * them. The caches a developer's own `npm start` uses are left alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHashKey, generateSigningJwk } from '../scripts/dev/keys';
import { freePort, ROOT } from './env';
import { commandLineOf, cpuSecondsOf, descendantsOf, memoryOf } from './processes';
import { median } from './stats';

export const START_GOALS = { freshSeconds: 10, secondSeconds: 5, stackMiB: 1024 } as const;

export interface StartRun {
  readonly kind: 'fresh' | 'second';
  /** From spawning `npm start` to its "Auth service ready" line. */
  readonly seconds: number;
  /** CPU time of the whole tree by then (the processes still running), less distorted by neighbours. */
  readonly cpuSeconds: number;
  /** The same per part of the stack. */
  readonly cpuByPart: Readonly<Record<string, number>>;
  readonly loadAverage: number;
}

export interface StartTimes {
  readonly runs: readonly StartRun[];
  readonly medianFreshSeconds: number;
  readonly medianSecondSeconds: number;
  readonly medianFreshCpuSeconds: number;
  readonly medianSecondCpuSeconds: number;
}

/** Memory of the stack at one moment, in MiB: summed over its processes, and per part. */
export interface StackMemory {
  readonly atSeconds: number;
  readonly rssMiB: number;
  /** Proportional set size: pages shared between processes (the node binary...) counted once. */
  readonly pssMiB: number;
  readonly parts: Readonly<Record<string, number>>;
}

export interface StackUse {
  readonly durationSeconds: number;
  readonly users: number;
  readonly iterations: number;
  readonly requests: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly failures: number;
  readonly atReady: StackMemory;
  readonly peak: StackMemory;
  readonly atEnd: StackMemory;
  readonly samples: readonly StackMemory[];
}

/** Which part of the stack a process is, from its command line. */
export function partOf(commandLine: string): string {
  if (/serverless(\.js)? offline/.test(commandLine)) return 'serverless-offline';
  if (/^java /.test(commandLine) || /\/java /.test(commandLine)) return 'DynamoDB Local';
  if (/aws-ses-v2-local/.test(commandLine)) return 'SES emulator';
  if (/scripts\/start\.ts/.test(commandLine)) return 'start.ts';
  if (/esbuild/.test(commandLine)) return 'esbuild';
  if (/(^|\/)npm( |$)|npm-cli\.js/.test(commandLine)) return 'npm';
  return 'other';
}

/** The memory of `pid` and everything under it. */
export function stackMemory(pid: number, atSeconds: number): StackMemory {
  const parts: Record<string, number> = {};
  let rssKiB = 0;
  let pssKiB = 0;
  for (const each of [pid, ...descendantsOf(pid)]) {
    const memory = memoryOf(each);
    rssKiB += memory.rssKiB;
    pssKiB += memory.pssKiB;
    const part = partOf(commandLineOf(each));
    parts[part] = (parts[part] ?? 0) + memory.rssKiB / 1024;
  }
  return { atSeconds, rssMiB: rssKiB / 1024, pssMiB: pssKiB / 1024, parts: Object.fromEntries(Object.entries(parts).map(([part, mib]) => [part, Math.round(mib)])) };
}

interface RunningStack {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  readonly readySeconds: number;
  stop(): Promise<void>;
}

/** `npm start` on free ports, with DynamoDB Local's data in `dataDir`; resolves once it is ready. */
async function launch(dataDir: string, extraEnv: Record<string, string>, timeoutMs = 180_000): Promise<RunningStack> {
  const [port, dynamoDbPort, sesPort] = [await freePort(), await freePort(), await freePort()];
  const started = process.hrtime.bigint();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_LOCAL_PORT: String(dynamoDbPort),
      SES_LOCAL_PORT: String(sesPort),
      DYNAMODB_LOCAL_DATA_DIR: dataDir,
      // Keys in the environment keep the benchmark from writing under .keys/.
      JWT_PRIVATE_KEY: JSON.stringify(await generateSigningJwk('ES256')),
      REFRESH_TOKEN_HASH_KEY: generateHashKey(),
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGINT');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 15_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!/Auth service ready at/.test(output)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited before it was ready:\n${output.slice(-4000)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm start was not ready within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const readySeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { child, port, baseUrl: `http://127.0.0.1:${port}/dev`, readySeconds, stop };
}

/** CPU seconds of `pid` and everything under it, per part of the stack. */
function treeCpu(pid: number): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const each of [pid, ...descendantsOf(pid)]) {
    const part = partOf(commandLineOf(each));
    parts[part] = Math.round(((parts[part] ?? 0) + cpuSecondsOf(each)) * 100) / 100;
  }
  return parts;
}

/** `runs` pairs of a fresh start then a second start, each stopped with Ctrl-C before the next. */
export async function measureStartTimes({ runs }: { runs: number }): Promise<StartTimes> {
  const results: StartRun[] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-start-dynamodb-'));
    const schemaCache = mkdtempSync(join(tmpdir(), 'bench-start-sls-'));
    const localCache = mkdtempSync(join(tmpdir(), 'bench-start-cache-'));
    // Inside the service folder: serverless-offline refuses handler paths with '..'.
    const workFolder = join('.esbuild', `bench-${randomBytes(4).toString('hex')}`);
    try {
      for (const kind of ['fresh', 'second'] as const) {
        const loadAverage = loadavg()[0]!;
        const stack = await launch(dataDir, { SLS_SCHEMA_CACHE_BASE_DIR: schemaCache, ESBUILD_WORK_FOLDER: workFolder, JWT_AUTH_LOCAL_CACHE: localCache });
        const cpuByPart = treeCpu(stack.child.pid!);
        await stack.stop();
        const cpuSeconds = Object.values(cpuByPart).reduce((sum, seconds) => sum + seconds, 0);
        results.push({ kind, seconds: stack.readySeconds, cpuSeconds, cpuByPart, loadAverage });
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(schemaCache, { recursive: true, force: true });
      rmSync(localCache, { recursive: true, force: true });
      rmSync(join(ROOT, workFolder), { recursive: true, force: true });
    }
  }
  const of = (kind: StartRun['kind'], pick: (run: StartRun) => number) => median(results.filter((run) => run.kind === kind).map(pick));
  return {
    runs: results,
    medianFreshSeconds: of('fresh', (run) => run.seconds),
    medianSecondSeconds: of('second', (run) => run.seconds),
    medianFreshCpuSeconds: of('fresh', (run) => run.cpuSeconds),
    medianSecondCpuSeconds: of('second', (run) => run.cpuSeconds),
  };
}

const PASSWORD = 'correct horse battery staple';

/**
 * One person's session with the service, end to end: register, sign in, look around, refresh,
 * ask for emails (verification, password reset), start TOTP, passkey options, the demo page, sign
 * out. Every answer's status is counted; none is required, so a rule that changes an answer
 * elsewhere does not stop the measurement.
 */
async function oneVisit(baseUrl: string, email: string, count: (status: number | 'failed') => void): Promise<void> {
  const call = async (method: string, path: string, { body, token }: { body?: unknown; token?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> => {
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      count(response.status);
      let json: Record<string, unknown> = {};
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        /* not JSON (the demo page) */
      }
      return { status: response.status, json };
    } catch {
      count('failed');
      return { status: 0, json: {} };
    }
  };
  await call('POST', '/auth/register', { body: { email, password: PASSWORD } });
  const login = await call('POST', '/auth/login', { body: { email, password: PASSWORD } });
  const token = typeof login.json.access_token === 'string' ? login.json.access_token : undefined;
  let refreshToken = typeof login.json.refresh_token === 'string' ? login.json.refresh_token : undefined;
  await call('GET', '/me', { token });
  await call('GET', '/auth/sessions', { token });
  await call('GET', '/.well-known/jwks.json');
  const refreshed = await call('POST', '/auth/refresh', { body: { refresh_token: refreshToken } });
  if (typeof refreshed.json.refresh_token === 'string') refreshToken = refreshed.json.refresh_token;
  await call('POST', '/auth/email/verify-request', { token });
  await call('POST', '/auth/password/forgot', { body: { email } });
  await call('POST', '/auth/mfa/totp/setup', { token });
  await call('POST', '/auth/passkeys/login/options', { body: {} });
  await call('GET', '/auth/passkeys', { token });
  await call('GET', '/demo');
  await call('GET', '/demo/app.js');
  await call('POST', '/auth/logout', { body: { refresh_token: refreshToken } });
}

/**
 * Starts the stack (after a first start, as a developer's second), then `users` visitors go
 * through `oneVisit` again and again for `durationSeconds`, each with new accounts; the stack's
 * memory is sampled every `sampleSeconds`.
 */
export async function measureStackUse({ durationSeconds, users, sampleSeconds = 5 }: { durationSeconds: number; users: number; sampleSeconds?: number }): Promise<StackUse> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-use-dynamodb-'));
  const stack = await launch(dataDir, {});
  try {
    const pid = stack.child.pid!;
    const started = Date.now();
    const elapsed = () => (Date.now() - started) / 1000;
    const atReady = stackMemory(pid, 0);
    const samples: StackMemory[] = [atReady];
    const sampler = setInterval(() => samples.push(stackMemory(pid, elapsed())), sampleSeconds * 1000);
    const statuses: Record<string, number> = {};
    let requests = 0;
    let iterations = 0;
    const count = (status: number | 'failed') => {
      requests++;
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    };
    const runId = Date.now().toString(36);
    await Promise.all(
      Array.from({ length: users }, async (_, user) => {
        for (let visit = 0; elapsed() < durationSeconds; visit++) {
          await oneVisit(stack.baseUrl, `use-${runId}-${user}-${visit}@bench.example.com`, count);
          iterations++;
        }
      }),
    );
    clearInterval(sampler);
    const atEnd = stackMemory(pid, elapsed());
    samples.push(atEnd);
    const peak = samples.reduce((max, sample) => (sample.rssMiB > max.rssMiB ? sample : max));
    return {
      durationSeconds: elapsed(),
      users,
      iterations,
      requests,
      statuses,
      failures: statuses.failed ?? 0,
      atReady,
      peak,
      atEnd,
      samples,
    };
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
