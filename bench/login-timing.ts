import { AsyncLocalStorage } from 'node:async_hooks';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Env } from '../lib/core/config';
import { loadAttemptLimits, loadSessionPolicy, loadStorageConfig } from '../lib/core/config';
import { createLogger } from '../lib/core/logger';
import { corsHeaders, errorToResponse, readJsonBody, toApiGatewayResult, toHttpRequest, type HttpResponse } from '../lib/http/http';
import { newSessionId } from '../lib/tokens/refresh-token';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { tokenResponse } from '../lib/http/token-response';
import { loginSchema, validate } from '../lib/http/validation';
import { BENCH_PASSWORD, benchEmail } from './dynamodb-requests';
import { createBenchService, type BenchService } from './service';
import { median } from './stats';
import { sessionClaimsWith } from '../lib/tokens/session-claims';

export interface LoginSample {
  readonly totalMs: number;
  /** Time per part: each timed dependency ("passwords.verify", "users.findByEmail", "sessions.create"...); parallel parts each count their own time and the rest. */
  readonly parts: Readonly<Record<string, number>>;
  /** Garbage-collection pauses that started during each part (included in its time). */
  readonly gcMs: Readonly<Record<string, number>>;
  /** Time on the wire to DynamoDB (request sent by the SDK until its response), per part. */
  readonly wireMs: Readonly<Record<string, number>>;
}

export interface LoginPart {
  readonly name: string;
  readonly medianMs: number;
  /** Median of the GC pauses inside this part: argon2id's 19 MiB per hash is collected later, in whatever runs then. */
  readonly medianGcMs: number;
  /** Median time inside this part between a DynamoDB request leaving the SDK and its response coming back. */
  readonly medianWireMs: number;
  readonly isHash: boolean;
}

export interface LoginTiming {
  readonly samples: readonly LoginSample[];
  readonly medianTotalMs: number;
  readonly medianHashMs: number;
  /** Everything but the password hash. */
  readonly medianNonHashMs: number;
  /** The hash, each DynamoDB call, and "rest": the handler's own work (parsing, validation, token signing, response), the time no timed part was running. */
  readonly parts: readonly LoginPart[];
  /** The slowest part other than the hash: the figure the 5 ms goal is about. */
  readonly slowestNonHash: LoginPart;
  /** Median time of each DynamoDB call made back to back, outside a login (the last warm-up rounds), for reference. */
  readonly storeAloneMs: Readonly<Record<string, number>>;
}

export const HASH_PART = 'passwords.verify';
export const REST_PART = 'rest (parsing, validation, token signing, response)';
export const LOGIN_NON_HASH_GOAL_MS = 5;
/** Untimed rounds of the login's DynamoDB requests before timing. */
export const STORE_WARMUP_ROUNDS = 200;

/** The login's DynamoDB calls, as the warm-up and the "alone" column make them. */
export const LOGIN_STORE_CALLS = ['users.countAttempt', 'users.findByEmail', 'users.clearAttempts', 'sessions.listIndexed', 'sessions.create'] as const;

/**
 * handlers/login.ts as its httpHandler runs it (request parsing, validation, the login, the token
 * response, the error mapper), over a service whose hasher and stores are timed: the handler
 * module itself builds its parts from process.env through lib/compose and cannot be given them.
 */
function loginHandler(service: BenchService) {
  const logger = createLogger('silent');
  const bodySchema = loginSchema({ allowDotlessDomain: false });
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const request = toHttpRequest(event);
    let response: HttpResponse;
    try {
      const { email, password, refresh_token_delivery: delivery } = validate(bodySchema, readJsonBody(request));
      response = tokenResponse(await service.login(email, password, request), delivery, request.stage);
    } catch (error) {
      response = errorToResponse(error, logger);
    }
    return toApiGatewayResult(response, corsHeaders(request.origin, []));
  };
}

type Interval = { readonly start: number; readonly end: number };

/** The timed part a DynamoDB request belongs to: parallel parts overlap in time, so time alone cannot tell. */
const currentPart = new AsyncLocalStorage<string>();

/** The intervals merged where they overlap (the login runs some DynamoDB calls in parallel). */
function union(intervals: readonly Interval[]): Interval[] {
  const merged: { start: number; end: number }[] = [];
  for (const interval of [...intervals].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

/**
 * Time in the password hash against the whole login handler, over real DynamoDB Local requests;
 * every other part of the login is timed too, to show that none of them is slow.
 */
export async function measureLogin(
  env: Env,
  { iterations, warmup = 2, storeWarmup = STORE_WARMUP_ROUNDS }: { iterations: number; warmup?: number; storeWarmup?: number },
): Promise<LoginTiming> {
  let intervals: (Interval & { name: string })[] = [];
  const record = (name: string, start: number, end: number) => void intervals.push({ name, start, end });
  const client = createDocumentClient({ endpoint: loadStorageConfig(env).dynamoDbEndpoint });
  const wire: (Interval & { part: string | undefined })[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        wire.push({ start, end: performance.now(), part: currentPart.getStore() });
      }
    },
    { step: 'finalizeRequest', name: 'benchWireTime', priority: 'low' },
  );
  const service = await createBenchService(env, { client, wrap: (name, part) => timed(name, part, record) });
  const untimed = await createBenchService(env, { client });
  const handler = loginHandler(service);
  const email = benchEmail('login');
  const { userId } = await untimed.register(email, BENCH_PASSWORD);
  const event = loginEvent(JSON.stringify({ email, password: BENCH_PASSWORD }));
  // DynamoDB Local is a JVM: its first few hundred requests run cold. Warm it with the login's own
  // requests (untimed, no hash) so the figures are its steady state, not Java's JIT.
  const limits = loadAttemptLimits(env);
  const { sessionLimitPerUser } = loadSessionPolicy(env);
  const alone: Record<string, number[]> = Object.fromEntries(LOGIN_STORE_CALLS.map((name) => [name, []]));
  const timeAlone = async (name: (typeof LOGIN_STORE_CALLS)[number], call: () => Promise<unknown>, keep: boolean) => {
    const start = performance.now();
    await call();
    if (keep) alone[name]!.push(performance.now() - start);
  };
  const { users, sessionStore } = untimed;
  for (let index = 0; index < storeWarmup; index++) {
    const now = Date.now();
    const keep = index >= storeWarmup / 2;
    await timeAlone('users.countAttempt', () => users.countAttempt(email, now, limits), keep);
    await timeAlone('users.findByEmail', () => users.findByEmail(email), keep);
    await timeAlone('users.clearAttempts', () => users.clearAttempts(email), keep);
    await timeAlone('sessions.listIndexed', () => sessionStore.listIndexed(userId, { limit: sessionLimitPerUser, newestFirst: false }), keep);
    const session = { id: newSessionId(), userId: 'warm-up', createdAt: now, lastUsedAt: now, idleExpiresAt: now + 60_000, absoluteExpiresAt: now + 60_000, generation: 0, tokenHash: 'warm-up', claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(now / 1000) }) };
    await timeAlone('sessions.create', () => sessionStore.create(session), keep);
  }

  const pauses: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => void pauses.push(...list.getEntries().map((entry) => ({ start: entry.startTime, duration: entry.duration }))));
  observer.observe({ entryTypes: ['gc'] });
  const logins: (Interval & { intervals: typeof intervals })[] = [];
  try {
    for (let index = 0; index < warmup + iterations; index++) {
      intervals = [];
      const start = performance.now();
      const response = await handler(event);
      const end = performance.now();
      if (response.statusCode !== 200) throw new Error(`login answered ${response.statusCode}: ${response.body}`);
      if (index >= warmup) logins.push({ start, end, intervals });
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries arrive asynchronously
  } finally {
    observer.disconnect();
  }

  const wireWithin = (part: string, start: number, end: number) =>
    wire.filter((call) => call.part === part && call.start >= start && call.end <= end).reduce((sum, call) => sum + call.end - call.start, 0);
  const gcWithin = (start: number, end: number) => pauses.filter((pause) => pause.start >= start && pause.start < end).reduce((sum, pause) => sum + pause.duration, 0);
  const samples: LoginSample[] = logins.map((login) => {
    const parts: Record<string, number> = {};
    const gcMs: Record<string, number> = {};
    const wireMs: Record<string, number> = {};
    for (const interval of login.intervals) {
      parts[interval.name] = (parts[interval.name] ?? 0) + interval.end - interval.start;
      gcMs[interval.name] = (gcMs[interval.name] ?? 0) + gcWithin(interval.start, interval.end);
      wireMs[interval.name] = (wireMs[interval.name] ?? 0) + wireWithin(interval.name, interval.start, interval.end);
    }
    const busy = union(login.intervals);
    const totalMs = login.end - login.start;
    parts[REST_PART] = totalMs - busy.reduce((sum, interval) => sum + interval.end - interval.start, 0);
    gcMs[REST_PART] = gcWithin(login.start, login.end) - busy.reduce((sum, interval) => sum + gcWithin(interval.start, interval.end), 0);
    return { totalMs, parts, gcMs, wireMs };
  });
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.parts)))];
  const summary = names.map((name) => ({
    name,
    medianMs: median(samples.map((sample) => sample.parts[name] ?? 0)),
    medianGcMs: median(samples.map((sample) => sample.gcMs[name] ?? 0)),
    medianWireMs: median(samples.map((sample) => sample.wireMs[name] ?? 0)),
    isHash: name === HASH_PART,
  }));
  const nonHash = summary.filter((part) => !part.isHash);
  return {
    samples,
    medianTotalMs: median(samples.map((sample) => sample.totalMs)),
    medianHashMs: median(samples.map((sample) => sample.parts[HASH_PART] ?? 0)),
    medianNonHashMs: median(samples.map((sample) => sample.totalMs - (sample.parts[HASH_PART] ?? 0))),
    parts: summary,
    slowestNonHash: nonHash.reduce((slowest, part) => (part.medianMs > slowest.medianMs ? part : slowest), nonHash[0]!),
    storeAloneMs: Object.fromEntries(Object.entries(alone).map(([name, times]) => [name, median(times)])),
  };
}

/**
 * The same object with every method timed into `record` as "<prefix>.<method>" (performance.now()
 * timestamps); a method that returns a promise is timed until it settles; a synchronous one stays synchronous,
 * untimed (it counts as rest).
 */
function timed<T extends object>(prefix: string, target: T, record: (name: string, start: number, end: number) => void): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = (...args: unknown[]) => {
      const start = performance.now();
      const result: unknown = currentPart.run(`${prefix}.${name}`, () => (value as (...a: unknown[]) => unknown).apply(target, args));
      if (!(result instanceof Promise)) return result;
      return result.finally(() => record(`${prefix}.${name}`, start, performance.now()));
    };
  }
  return wrapped as T;
}

function loginEvent(body: string): APIGatewayProxyEvent {
  return {
    resource: '/auth/login',
    path: '/auth/login',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'bench' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { stage: 'dev', requestId: 'bench-login', identity: { sourceIp: '127.0.0.1' } },
  } as unknown as APIGatewayProxyEvent;
}
