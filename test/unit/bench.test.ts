import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { measureArgon2, type Argon2Timing } from '../../bench/argon2';
import { measureAuthorizerThroughput, type ThroughputResult } from '../../bench/authorizer-throughput';
import { coldHttpEvent, measureColdStarts, type ColdStartReport } from '../../bench/cold-start';
import { countDynamoDbRequests, type RequestCount } from '../../bench/dynamodb-requests';
import { ALGORITHMS, authorizerEnv, describeMachine, ROOT, serviceEnv } from '../../bench/env';
import { RefreshTokenPool, runLoadScenarios, type LoadResult } from '../../bench/http-load';
import { HASH_PART, measureLogin, REST_PART, type LoginTiming } from '../../bench/login-timing';
import { renderMarkdown, renderTable, summaryRows, type BenchReport } from '../../bench/report';
import { parseOptions } from '../../bench/run';
import { validTokenEvent } from '../../bench/tokens';

// Keeps `npm run bench` from rotting: every part runs here on tiny counts. Timings are never
// asserted (shared machines); structure, sanity and the exact DynamoDB request counts are.
// Instead of `serverless package` (slow), the two bundles it needs are built with the esbuild
// options of serverless.yml.

const ES256 = 'ES256';

describe('benchmark scripts on tiny counts', () => {
  let dir: string;
  const bundle = (name: string) => join(dir, 'handlers', `${name}.js`);
  const parts: {
    throughput?: ThroughputResult[];
    coldStart?: ColdStartReport;
    argon2?: Argon2Timing;
    requestCounts?: RequestCount[];
    login?: LoginTiming;
    http?: LoadResult[];
  } = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    await build({
      entryPoints: { 'handlers/authorizer': join(ROOT, 'handlers/authorizer.ts'), 'handlers/jwks': join(ROOT, 'handlers/jwks.ts') },
      outdir: dir,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: ['@node-rs/argon2-*'], // custom.esbuild.exclude
      logLevel: 'silent',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('times the authorizer bundle against the node:crypto floor, for every algorithm', async () => {
    const iterations = { ES256: 20, EdDSA: 20, RS256: 20, HS256: 40 };
    const results = await measureAuthorizerThroughput({ modulePath: bundle('authorizer'), exportName: 'handler', algorithms: ALGORITHMS, iterations, runs: 2 });

    expect(results.map((result) => result.algorithm)).toEqual([...ALGORITHMS]);
    for (const result of results) {
      expect(result.iterations).toBe(iterations[result.algorithm]);
      expect(result.authorizerOpsPerSecond).toHaveLength(2);
      expect(result.floorOpsPerSecond).toHaveLength(2);
      for (const ops of [...result.authorizerOpsPerSecond, ...result.floorOpsPerSecond]) expect(ops).toBeGreaterThan(0);
      for (const ratio of [result.ratio, result.wall.ratio]) {
        expect(Number.isFinite(ratio)).toBe(true);
        expect(ratio).toBeGreaterThan(0);
      }
    }
    parts.throughput = results;
  }, 120_000);

  it('starts bundles in fresh processes against an import of node:crypto', async () => {
    const env = await serviceEnv(ES256, { LOG_LEVEL: 'silent' });
    const report = await measureColdStarts(
      [
        { label: 'authorizer (ES256)', modulePath: bundle('authorizer'), exportName: 'handler', env: authorizerEnv(env), event: await validTokenEvent(env), bundleBytes: statSync(bundle('authorizer')).size },
        { label: 'jwks', modulePath: bundle('jwks'), exportName: 'handler', env, event: coldHttpEvent('GET') },
      ],
      { samples: 2 },
    );

    expect(report.floor.samples).toHaveLength(2);
    expect(report.floor.outcome).toBe('floor');
    expect(report.targets.map((target) => [target.label, target.outcome])).toEqual([
      ['authorizer (ES256)', 'allow'],
      ['jwks', '200'],
    ]);
    for (const result of [report.floor, ...report.targets]) {
      expect(result.medianReadyMs).toBeGreaterThan(0);
      expect(result.medianLoadMs).toBeGreaterThan(0);
      expect(result.medianReadyMs).toBeGreaterThan(result.medianLoadMs);
      expect(result.ratio).toBeGreaterThan(0);
      expect(result.medianCpuMs).toBeGreaterThan(0);
      expect(result.cpuRatio).toBeGreaterThan(0);
    }
    parts.coldStart = report;
  }, 120_000);

  it('times our argon2id hasher against @node-rs/argon2 and hash-wasm, and the memory of a fresh process', async () => {
    const argon2 = await measureArgon2({ runs: 2, hashesPerRun: 2 });

    for (const side of [argon2.ours, argon2.native, argon2.wasm]) {
      expect(side.runMedians).toHaveLength(2);
      expect(side.medianMs).toBeGreaterThan(0);
    }
    for (const ratio of [argon2.ratio, argon2.wasmRatio]) expect(Number.isFinite(ratio) && ratio > 0).toBe(true);
    expect(argon2.memory.hashes).toBe(2);
    expect(argon2.memory.rssAfterImportMb).toBeGreaterThan(0);
    expect(argon2.memory.maxRssMb).toBeGreaterThanOrEqual(argon2.memory.rssAfterFirstHashMb);
    parts.argon2 = argon2;
  }, 60_000);

  it('counts DynamoDB requests per operation exactly', async () => {
    const env = await serviceEnv(ES256, {
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT!,
      USERS_TABLE: process.env.TEST_USERS_TABLE!,
      SESSIONS_TABLE: process.env.TEST_SESSIONS_TABLE!,
    });
    const counts = await countDynamoDbRequests(env);
    const requests = Object.fromEntries(counts.map((count) => [count.operation, count.requests]));

    expect(requests.refresh).toBe(1);
    expect(requests.login).toBeLessThanOrEqual(3);
    expect(requests['login after a failed attempt']).toBeLessThanOrEqual(3);
    expect(requests['authorizer, stateless']).toBe(0);
    expect(requests['authorizer, session check (first request of a session)']).toBe(1);
    expect(requests['authorizer, session check (same session again, cached)']).toBe(0);
    for (const count of counts) {
      expect(count.calls).toHaveLength(count.requests);
      if (count.goal) expect([count.operation, count.goal.met]).toEqual([count.operation, true]);
    }
    parts.requestCounts = counts;
  }, 60_000);

  it('splits a login into the password hash and everything else', async () => {
    const env = await serviceEnv(ES256, {
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT!,
      USERS_TABLE: process.env.TEST_USERS_TABLE!,
      SESSIONS_TABLE: process.env.TEST_SESSIONS_TABLE!,
    });
    const login = await measureLogin(env, { iterations: 2, warmup: 1, storeWarmup: 3 });

    expect(login.samples).toHaveLength(2);
    expect(login.parts.map((part) => part.name)).toEqual(expect.arrayContaining([HASH_PART, REST_PART, 'users.findForLogin', 'sessions.create']));
    expect(login.medianHashMs).toBeGreaterThan(0);
    expect(login.medianTotalMs).toBeGreaterThan(login.medianHashMs);
    expect(login.medianNonHashMs).toBeCloseTo(login.medianTotalMs - login.medianHashMs, 0);
    expect(login.slowestNonHash.isHash).toBe(false);
    expect(Object.keys(login.storeAloneMs).sort()).toEqual(['sessions.create', 'users.findForLogin']);
    for (const part of login.parts) expect(part.medianGcMs).toBeGreaterThanOrEqual(0);
    const create = login.parts.find((part) => part.name === 'sessions.create')!;
    expect(create.medianWireMs).toBeGreaterThan(0);
    expect(create.medianWireMs).toBeLessThanOrEqual(create.medianMs);
    parts.login = login;
  }, 60_000);

  it('runs autocannon scenarios, rotates refresh tokens without reuse, and counts errors', async () => {
    const stub = await startStub();
    try {
      const pool = new RefreshTokenPool(stub.issue(6));
      const results = await runLoadScenarios(
        stub.baseUrl,
        [
          { label: 'GET /ok', method: 'GET', path: '/ok', headers: { authorization: 'Bearer x' } },
          { label: 'POST /auth/refresh', method: 'POST', path: '/auth/refresh', refreshTokens: pool },
          { label: 'GET /fail', method: 'GET', path: '/fail' },
        ],
        { durationSeconds: 0.4, connections: 3, runs: 1, warmupSeconds: 0 },
      );
      const [ok, refresh, fail] = results;

      expect(ok).toMatchObject({ label: 'GET /ok', errors: 0, non2xx: 0, status5xx: 0 });
      expect(ok!.requests).toBeGreaterThan(0);
      expect(ok!.medianRequestsPerSecond).toBeGreaterThan(0);
      expect(refresh).toMatchObject({ errors: 0, non2xx: 0, status5xx: 0 });
      expect(refresh!.requests).toBeGreaterThan(3);
      expect(stub.reuses()).toBe(0);
      expect(pool.exhausted).toBe(0);
      expect(fail!.status5xx).toBe(fail!.requests);
      expect(fail!.requests).toBeGreaterThan(0);
      parts.http = [ok!, refresh!];
    } finally {
      await stub.stop();
    }
  }, 30_000);

  it('renders the summary table and docs/benchmarks.md from the results', () => {
    const { throughput, coldStart, argon2, requestCounts, login, http } = parts;
    if (!throughput || !coldStart || !argon2 || !requestCounts || !login || !http) throw new Error('an earlier test failed');
    const options = parseOptions(['--quick', '--no-write']);
    const report: BenchReport = {
      startedAt: new Date().toISOString(),
      seconds: 1,
      machine: describeMachine(),
      loadAverageAtEnd: [0, 0, 0],
      options,
      commands: ['npx serverless package --stage dev --package <dir>'],
      functions: [],
      throughput,
      coldStart,
      argon2,
      requestCounts,
      login,
      http: { scenarios: http, loginsForRefreshPool: 6, refreshPoolExhausted: 0 },
    };

    const rows = summaryRows(report);
    expect(rows.filter((row) => row.area.startsWith('verify'))).toHaveLength(ALGORITHMS.length);
    expect(rows.find((row) => row.area === 'argon2id' && row.goal === '≤ 1.3×')).toMatchObject({ met: argon2.ratio <= 1.3 });
    expect(rows.find((row) => row.measurement === 'refresh')).toMatchObject({ area: 'DynamoDB', result: '1 request', met: true });
    const table = renderTable(rows);
    expect(table.split('\n')[0]).toMatch(/^area +\| measurement/);
    expect(table).toContain('authorizer, stateless');
    const markdown = renderMarkdown(report);
    for (const heading of ['## Summary', '## Machine', '## Commands', '## Authorizer verify throughput', '## Cold start and bundle sizes', '## Password hash (argon2id)', '## DynamoDB requests per operation', '## Login', '## HTTP under load']) {
      expect(markdown).toContain(heading);
    }
    expect(options.out).toBeUndefined();
    expect(options.runs).toBeGreaterThan(0);
  });
});

/** A tiny HTTP server: /ok answers 200, /fail 500, /auth/refresh rotates tokens and records any reuse. */
async function startStub(): Promise<{ baseUrl: string; issue(count: number): string[]; reuses(): number; stop(): Promise<void> }> {
  const live = new Set<string>();
  let next = 0;
  let reuses = 0;
  const mint = () => {
    const token = `token-${next++}`;
    live.add(token);
    return token;
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/auth/refresh') {
        const presented = (JSON.parse(body) as { refresh_token: string }).refresh_token;
        if (!live.delete(presented)) {
          reuses++;
          response.writeHead(401).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ refresh_token: mint() }));
        return;
      }
      response.writeHead(request.url === '/ok' ? 200 : 500).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    issue: (count) => Array.from({ length: count }, mint),
    reuses: () => reuses,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
