import { ensureTables, SERVICE_NAME } from '../scripts/dev/dynamodb-local';
import { startOffline, type OfflineServer } from '../scripts/dev/offline';
import { BENCH_PASSWORD, benchEmail } from './dynamodb-requests';
import { freePort, STAGE, type ServiceEnv } from './env';
import { RefreshTokenPool, runLoadScenarios, type LoadResult } from './http-load';

export interface HttpBenchOptions {
  readonly durationSeconds: number;
  readonly connections: number;
  readonly runs: number;
  readonly warmupSeconds: number;
}

export interface HttpBenchResult {
  readonly scenarios: readonly LoadResult[];
  readonly loginsForRefreshPool: number;
  readonly refreshPoolExhausted: number;
}

/**
 * The stack `npm start` runs (serverless-offline, stage dev, over DynamoDB Local), on free ports,
 * with this run's keys. `env` is a complete function environment with DYNAMODB_ENDPOINT.
 */
export async function startHttpStack(env: ServiceEnv): Promise<OfflineServer> {
  await ensureTables(env.DYNAMODB_ENDPOINT!, STAGE, SERVICE_NAME);
  const [port, lambdaPort] = [await freePort(), await freePort()];
  // Building every bundle on two cores that other work shares can take minutes.
  return startOffline({ port, lambdaPort, stage: STAGE, env, timeoutMs: 300_000 });
}

/** Authorized GET /me against unauthenticated GET /.well-known/jwks.json, and refresh, under autocannon. */
export async function runHttpBench(baseUrl: string, options: HttpBenchOptions): Promise<HttpBenchResult> {
  const email = benchEmail('http');
  await request(baseUrl, 'POST', '/auth/register', { email, password: BENCH_PASSWORD }, 201);
  const login = async () => (await request(baseUrl, 'POST', '/auth/login', { email, password: BENCH_PASSWORD }, 200)) as { access_token: string; refresh_token: string };
  const { access_token: accessToken, refresh_token: firstRefreshToken } = await login();
  const authorization = `Bearer ${accessToken}`;

  // Every connection holds one token while its request is in flight; tokens in flight when a run
  // stops are lost, so the pool is topped up (outside the timed part) before each run.
  const pool = new RefreshTokenPool([firstRefreshToken]);
  let logins = 0;
  const topUp = async () => {
    while (pool.size < options.connections + 2) {
      pool.add((await login()).refresh_token);
      logins++;
    }
  };

  // serverless-offline, like Lambda, runs each concurrent invocation in an instance of its own (a
  // worker thread that loads the bundle). Start as many instances as there will be connections,
  // before the warm-up, so no run pays for loading them.
  const concurrently = (call: () => Promise<unknown>) => Promise.all(Array.from({ length: options.connections }, call));
  await concurrently(() => request(baseUrl, 'GET', '/me', undefined, 200, { authorization }));
  await concurrently(() => request(baseUrl, 'GET', '/.well-known/jwks.json', undefined, 200));
  await topUp();
  await concurrently(async () => {
    const { refresh_token: successor } = (await request(baseUrl, 'POST', '/auth/refresh', { refresh_token: pool.take() }, 200)) as { refresh_token: string };
    pool.add(successor);
  });
  const scenarios = await runLoadScenarios(
    baseUrl,
    [
      { label: 'GET /me (authorized)', method: 'GET', path: '/me', headers: { authorization } },
      { label: 'GET /.well-known/jwks.json', method: 'GET', path: '/.well-known/jwks.json' },
      { label: 'POST /auth/refresh', method: 'POST', path: '/auth/refresh', refreshTokens: pool, prepare: topUp },
    ],
    options,
  );
  return { scenarios, loginsForRefreshPool: logins, refreshPoolExhausted: pool.exhausted };
}

/** One request outside the timed runs (setup); a 5xx (serverless-offline's 504 while it starts instances) is retried twice. */
async function request(baseUrl: string, method: string, path: string, body: unknown, expected: number, headers: Record<string, string> = {}): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status === expected) return text ? JSON.parse(text) : undefined;
    if (response.status < 500 || attempt === 3) throw new Error(`${method} ${path} answered ${response.status}, expected ${expected}: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
