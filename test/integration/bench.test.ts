import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { measureArgon2, type Argon2Timing } from '../../bench/argon2';
import { measureAuthorizerThroughput, type ThroughputResult } from '../../bench/authorizer-throughput';
import { buildSdkReference, coldHttpEvent, measureColdStarts, SDK_REFERENCE_LABEL, type ColdStartReport } from '../../bench/cold-start';
import { countDynamoDbRequests, EXPECTED_CALLS, matchesExpected, type RequestCount } from '../../bench/dynamodb-requests';
import { ALGORITHMS, authorizerEnv, describeMachine, ROOT, serviceEnv } from '../../bench/env';
import * as config from '../../lib/core/config';
import { serverlessBuildOptions } from '../../bench/esbuild-options';
import { RefreshTokenPool, runLoadScenarios, type LoadResult } from '../../bench/http-load';
import { HASH_PART, LOGIN_STORE_CALLS, measureLogin, REST_PART, type LoginTiming } from '../../bench/login-timing';
import { renderMarkdown, renderTable, summaryRows, type BenchReport } from '../../bench/report';
import { parseOptions } from '../../bench/run';
import { measureSessionsAtScale, type SessionScaleReport } from '../../bench/sessions-at-scale';
import { measureStackUse, partOf, stackMemory, type StackUse, type StartTimes } from '../../bench/start-stack';
import { validTokenEvent } from '../../bench/tokens';

// Keeps `npm run bench` from rotting: every part runs here on tiny counts. Timings are never
// asserted (shared machines); structure, sanity and the exact DynamoDB request counts are.
// Instead of `serverless package` (slow), the two bundles it needs are built with the esbuild
// options of serverless.yml. It starts child processes and uses DynamoDB Local: an integration test.

const ES256 = 'ES256';

describe('benchmark scripts on tiny counts', () => {
  let dir: string;
  const bundle = (name: string) => join(dir, 'handlers', `${name}.js`);
  const parts: {
    throughput?: ThroughputResult[];
    coldStart?: ColdStartReport;
    argon2?: Argon2Timing;
    requestCounts?: RequestCount[];
    sessionsAtScale?: SessionScaleReport;
    login?: LoginTiming;
    http?: LoadResult[];
    use?: StackUse;
  } = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-test-'));
    await build({
      entryPoints: { 'handlers/authorizer': join(ROOT, 'handlers/authorizer.ts'), 'handlers/jwks': join(ROOT, 'handlers/jwks.ts') },
      outdir: dir,
      ...serverlessBuildOptions(),
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the functions an environment every configuration loader accepts, outside local development as deployed', async () => {
    const env = await serviceEnv(ES256);
    expect(env.AUTH_LOCAL_DEV).toBeUndefined();
    const loaders = [
      config.loadServiceConfig,
      (e: config.Env) => config.loadTokenConfig(e, { requirePrivateKey: true }),
      config.loadStorageConfig,
      config.loadSessionPolicy,
      config.loadAttemptLimits,
      config.loadLoginPolicy,
      config.loadHashKeys,
      config.loadEmailConfig,
      config.loadMfaConfig,
      config.loadWebAuthnConfig,
    ];
    for (const load of loaders) expect(() => load(env)).not.toThrow();
  });

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

  it('starts bundles in fresh processes against an import of node:crypto and an SDK-only bundle', async () => {
    const env = await serviceEnv(ES256, { LOG_LEVEL: 'silent' });
    const sdkReference = await buildSdkReference(join(dir, 'sdk-reference'));
    const report = await measureColdStarts(
      [
        { label: 'authorizer (ES256)', modulePath: bundle('authorizer'), exportName: 'handler', env: authorizerEnv(env), event: await validTokenEvent(env), bundleBytes: statSync(bundle('authorizer')).size },
        { ...sdkReference, env },
        { label: 'jwks', modulePath: bundle('jwks'), exportName: 'handler', env, event: coldHttpEvent('GET') },
      ],
      { samples: 2 },
    );

    expect(report.floor.samples).toHaveLength(2);
    expect(report.floor.outcome).toBe('floor');
    expect(report.targets.map((target) => [target.label, target.outcome])).toEqual([
      ['authorizer (ES256)', 'allow'],
      [SDK_REFERENCE_LABEL, '200'],
      ['jwks', '200'],
    ]);
    // The reference holds the DynamoDB client and little else: far more than the authorizer, far less than a megabyte.
    expect(sdkReference.bundleBytes).toBeGreaterThan(statSync(bundle('authorizer')).size);
    expect(sdkReference.bundleBytes).toBeLessThan(1_000_000);
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

    const calls = Object.fromEntries(counts.map((count) => [count.operation, count.calls]));

    expect(calls.register).toEqual(['TransactWriteItems']);
    expect(calls.refresh).toEqual(['UpdateItem']);
    expect(calls.logout).toEqual(['UpdateItem']);
    // The account by id, then (the user store's design today) its email item: reads only.
    expect(calls['me (GET /me)']!.length).toBeLessThanOrEqual(2);
    expect(new Set(calls['me (GET /me)'])).toEqual(new Set(['GetItem']));
    expect([...calls.login!.slice(0, 2)].sort()).toEqual(['GetItem', 'UpdateItem']);
    expect(calls.login!.slice(2)).toEqual(['DeleteItem', 'Query', 'TransactWriteItems']);
    expect(matchesExpected(calls['login after a failed attempt']!, EXPECTED_CALLS.login)).toBe(true);
    expect([...calls['login, wrong password']!].sort()).toEqual(['GetItem', 'UpdateItem']);
    expect(requests['authorizer, stateless']).toBe(0);
    expect(requests['authorizer, session check (first request of a session)']).toBe(1);
    expect(requests['authorizer, session check (same session again, cached)']).toBe(0);
    for (const count of counts) {
      expect(count.calls).toHaveLength(count.requests);
      if (count.goal) expect([count.operation, count.goal.met]).toEqual([count.operation, true]);
    }
    parts.requestCounts = counts;
  }, 60_000);

  it('times logout-all by size, counts the items a listing reads past revoked sessions, and the write units of a refresh', async () => {
    const env = await serviceEnv(ES256, {
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT!,
      USERS_TABLE: process.env.TEST_USERS_TABLE!,
      SESSIONS_TABLE: process.env.TEST_SESSIONS_TABLE!,
    });
    const scale = await measureSessionsAtScale(env, { logoutAllRuns: 1, listingRuns: 1, sizes: [3, 12], listingRevoked: 25 });

    expect(scale.logoutAll.map((figure) => [figure.sessions, figure.requests, figure.writeUnits.table])).toEqual([
      [3, { Query: 1, UpdateItem: 3 }, 3],
      [12, { Query: 1, UpdateItem: 12 }, 12],
    ]);
    for (const figure of scale.logoutAll) expect(figure.medianMs).toBeGreaterThan(0);
    const [crowded, reference] = scale.listings;
    expect(crowded).toMatchObject({ revoked: 25, live: 10, sessionsListed: 10, calls: ['Query', 'BatchGetItem'], queryCount: 10, batchItems: 10 });
    expect(crowded!.itemsRead).toBe(reference!.itemsRead);
    expect(crowded!.readUnits.total).toBeGreaterThan(0);
    const refresh = scale.writeUnits.find((figure) => figure.operation === 'refresh');
    expect(refresh).toMatchObject({ calls: ['UpdateItem'], units: { table: 1, indexes: 0, total: 1 }, goal: { met: true } });
    parts.sessionsAtScale = scale;
  }, 60_000);

  it('splits a login into the password hash and everything else', async () => {
    const env = await serviceEnv(ES256, {
      DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT!,
      USERS_TABLE: process.env.TEST_USERS_TABLE!,
      SESSIONS_TABLE: process.env.TEST_SESSIONS_TABLE!,
    });
    const login = await measureLogin(env, { iterations: 2, warmup: 1, storeWarmup: 3 });

    expect(login.samples).toHaveLength(2);
    expect(login.parts.map((part) => part.name)).toEqual(expect.arrayContaining([HASH_PART, REST_PART, ...LOGIN_STORE_CALLS]));
    expect(login.medianHashMs).toBeGreaterThan(0);
    expect(login.medianTotalMs).toBeGreaterThan(login.medianHashMs);
    expect(login.medianNonHashMs).toBeCloseTo(login.medianTotalMs - login.medianHashMs, 0);
    expect(login.slowestNonHash.isHash).toBe(false);
    expect(Object.keys(login.storeAloneMs).sort()).toEqual([...LOGIN_STORE_CALLS].sort());
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

  it('names the parts of the npm start stack and reads the memory of a process tree', () => {
    expect(partOf('/x/node_modules/node/bin/node /x/node_modules/serverless/bin/serverless.js offline start --stage dev')).toBe('serverless-offline');
    expect(partOf('java -XX:TieredStopAtLevel=1 -cp /x LoopbackDynamoDbLocal -port 8000')).toBe('DynamoDB Local');
    expect(partOf('/x/node -e <watchdog> -- /x/node_modules/aws-ses-v2-local/dist/cli.js --port 8005')).toBe('SES emulator');
    expect(partOf('/x/node --import tsx scripts/start.ts')).toBe('start.ts');
    expect(partOf('npm start')).toBe('npm');
    const memory = stackMemory(process.pid, 0);
    expect(memory.rssMiB).toBeGreaterThan(10);
    expect(memory.pssMiB).toBeGreaterThan(0);
    expect(memory.pssMiB).toBeLessThanOrEqual(memory.rssMiB);
  });

  it('starts npm start, sends visitors through it, and reads the whole stack\'s memory', async () => {
    const use = await measureStackUse({ durationSeconds: 2, users: 1, sampleSeconds: 1 });

    expect(use.iterations).toBeGreaterThanOrEqual(1);
    expect(use.failures).toBe(0);
    expect(use.statuses['201']).toBeGreaterThanOrEqual(1);
    expect(Object.keys(use.statuses).filter((status) => status.startsWith('5'))).toEqual([]);
    for (const part of ['npm', 'start.ts', 'serverless-offline', 'DynamoDB Local', 'SES emulator']) expect(use.atReady.parts[part]).toBeGreaterThan(0);
    expect(use.peak.rssMiB).toBeGreaterThanOrEqual(use.atReady.rssMiB);
    parts.use = use;
  }, 180_000);

  it('renders the summary table and docs/benchmarks.md from the results', () => {
    const { throughput, coldStart, argon2, requestCounts, sessionsAtScale, login, http, use } = parts;
    if (!throughput || !coldStart || !argon2 || !requestCounts || !sessionsAtScale || !login || !http || !use) throw new Error('an earlier test failed');
    const times: StartTimes = {
      runs: [
        { kind: 'fresh', seconds: 9, cpuSeconds: 15, cpuByPart: { 'serverless-offline': 9, 'DynamoDB Local': 4 }, loadAverage: 1 },
        { kind: 'second', seconds: 6, cpuSeconds: 9, cpuByPart: { 'serverless-offline': 4, 'DynamoDB Local': 3 }, loadAverage: 1 },
      ],
      medianFreshSeconds: 9,
      medianSecondSeconds: 6,
      medianFreshCpuSeconds: 15,
      medianSecondCpuSeconds: 9,
    };
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
      sessionsAtScale,
      login,
      http: { scenarios: http, loginsForRefreshPool: 6, refreshPoolExhausted: 0 },
      start: { times, use },
      mixed: {
        requests: 20,
        seconds: 2,
        concurrency: 2,
        byStatus: { '200': 12, '504': 1, '401': 7 },
        byRoute: [{ route: 'POST /auth/logout', count: 2, medianMs: 10, maxMs: 11_000 }],
        unexpected: [{ route: 'POST /auth/logout', status: 504, atMs: 1_500, ms: 11_000, body: '' }],
        status5xx: 1,
      },
      hung: {
        storeHung: { 'POST /auth/login': [{ status: 503, ms: 3_100, retryAfter: '2' }], 'POST /auth/refresh': [{ status: 504, ms: 11_000, retryAfter: null }] },
        forgotKnown: [{ status: 202, ms: 520, retryAfter: null }],
        forgotUnknown: [{ status: 202, ms: 510, retryAfter: null }],
        registerWithSesHung: [{ status: 201, ms: 1_700, retryAfter: null }],
        floorMs: 500,
      },
    };

    const rows = summaryRows(report);
    expect(rows.filter((row) => row.area.startsWith('verify'))).toHaveLength(ALGORITHMS.length);
    expect(rows.find((row) => row.area === 'argon2id' && row.goal === '≤ 1.3×')).toMatchObject({ met: argon2.ratio <= 1.3 });
    expect(rows.find((row) => row.measurement === 'refresh')).toMatchObject({ area: 'DynamoDB', result: '1 request', met: true });
    expect(rows.find((row) => row.measurement === 'refresh, write units')).toMatchObject({ area: 'capacity', met: true });
    expect(rows.find((row) => row.measurement.startsWith('list sessions, 25 revoked'))).toMatchObject({ area: 'sessions', met: true });
    expect(rows.filter((row) => row.area === 'npm start').map((row) => row.met)).toEqual([true, false, use.peak.rssMiB <= 1024]);
    expect(rows.find((row) => row.measurement.startsWith('mixed run'))).toMatchObject({ area: 'HTTP', met: false });
    expect(rows.find((row) => row.measurement.startsWith('POST /auth/login, DynamoDB Local paused'))).toMatchObject({ area: 'hung store', met: true });
    expect(rows.find((row) => row.measurement.startsWith('POST /auth/refresh, DynamoDB Local paused'))).toMatchObject({ area: 'hung store', met: false });
    expect(rows.find((row) => row.measurement.startsWith('POST /auth/password/forgot, SES'))).toMatchObject({ area: 'hung SES', met: true });
    const table = renderTable(rows);
    expect(table.split('\n')[0]).toMatch(/^area +\| measurement/);
    expect(table).toContain('authorizer, stateless');
    const markdown = renderMarkdown(report);
    for (const heading of ['## Summary', '## Machine', '## Commands', '## Authorizer verify throughput', '## Cold start and bundle sizes', '## Password hash (argon2id)', '## DynamoDB requests per operation', '## Sessions at scale', '## Login', '## HTTP under load', '## Mixed run (no 5xx)', '## A store or a mail service that does not answer', '## npm start']) {
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
