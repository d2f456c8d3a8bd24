import { SERVICE_NAME } from '../scripts/dev/dynamodb-local';
import { ensureTables } from '../scripts/dev/dynamodb-local';
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
  return startOffline({ port, lambdaPort, stage: STAGE, env });
}

/** Authorized GET /me against unauthenticated GET /.well-known/jwks.json, and refresh, under autocannon. */
export async function runHttpBench(baseUrl: string, options: HttpBenchOptions): Promise<HttpBenchResult> {
  const email = benchEmail('http');
  await post(baseUrl, '/auth/register', { email, password: BENCH_PASSWORD }, 201);
  const login = async () => (await post(baseUrl, '/auth/login', { email, password: BENCH_PASSWORD }, 200)) as { access_token: string; refresh_token: string };
  const { access_token: accessToken } = await login();

  // Every connection holds one token while its request is in flight; tokens in flight when a run
  // stops are lost, so the pool is topped up before each run.
  const pool = new RefreshTokenPool([]);
  let logins = 0;
  const topUp = async () => {
    while (pool.size < options.connections + 2) {
      pool.add((await login()).refresh_token);
      logins++;
    }
  };
  const scenarios = await runLoadScenarios(
    baseUrl,
    [
      { label: 'GET /me (authorized)', method: 'GET', path: '/me', headers: { authorization: `Bearer ${accessToken}` } },
      { label: 'GET /.well-known/jwks.json', method: 'GET', path: '/.well-known/jwks.json' },
      { label: 'POST /auth/refresh', method: 'POST', path: '/auth/refresh', refreshTokens: pool, prepare: topUp },
    ],
    options,
  );
  return { scenarios, loginsForRefreshPool: logins, refreshPoolExhausted: pool.exhausted };
}

async function post(baseUrl: string, path: string, body: unknown, expected: number): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`POST ${path} answered ${response.status}, expected ${expected}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
