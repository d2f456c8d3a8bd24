import { PerformanceObserver, performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createApp } from '../lib/app';
import type { Env } from '../lib/core/config';
import { httpHandler, type Route } from '../lib/handler';
import { readJsonBody } from '../lib/http/http';
import { createLogger } from '../lib/core/logger';
import { createPasswordHasher } from '../lib/accounts/password';
import { newSessionId } from '../lib/tokens/refresh-token';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { createDynamoDbSessionStore, type SessionStore } from '../lib/aws/dynamodb-session-store';
import { createDynamoDbUserStore, type UserStore } from '../lib/aws/dynamodb-user-store';
import { tokenResponse } from '../lib/http/token-response';
import { loginSchema, validate } from '../lib/http/validation';
import { BENCH_PASSWORD, benchEmail } from './dynamodb-requests';
import { median } from './stats';

export interface LoginSample {
  readonly totalMs: number;
  /** Time per part: each timed dependency ("passwords.verify", "users.findForLogin", "sessions.create") and the rest. */
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
  /** The hash, each DynamoDB call, and "rest": the handler's own work (parsing, validation, token signing, response). */
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

// The route of handlers/login.ts, behind the same httpHandler, but over an app whose hasher and
// stores are wrapped with timers (handlers/login.ts builds its app from process.env).
const loginRoute: Route = async (request, app) => {
  const { email, password, refresh_token_delivery: delivery } = validate(loginSchema, readJsonBody(request));
  return tokenResponse(await app.sessions.login(email, password, request), delivery, request.stage);
};

/**
 * Time in the password hash against the whole login handler, over real DynamoDB Local requests;
 * every other part of the login is timed too, to show that none of them is slow.
 */
export async function measureLogin(
  env: Env,
  { iterations, warmup = 2, storeWarmup = STORE_WARMUP_ROUNDS }: { iterations: number; warmup?: number; storeWarmup?: number },
): Promise<LoginTiming> {
  let intervals: { name: string; start: number; end: number }[] = [];
  const record = (name: string, start: number, end: number) => void intervals.push({ name, start, end });
  const client = createDocumentClient({ endpoint: env.DYNAMODB_ENDPOINT });
  const wire: { start: number; end: number }[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        wire.push({ start, end: performance.now() });
      }
    },
    { step: 'finalizeRequest', name: 'benchWireTime', priority: 'low' },
  );
  const app = await createApp(env, {
    logger: createLogger('silent'),
    passwords: timed('passwords', createPasswordHasher(), record),
    users: timed<UserStore>('users', createDynamoDbUserStore(client, env.USERS_TABLE!), record),
    sessionStore: timed<SessionStore>('sessions', createDynamoDbSessionStore(client, env.SESSIONS_TABLE!), record),
  });
  const handler = httpHandler(loginRoute, Promise.resolve(app));
  const email = benchEmail('login');
  await app.accounts.register(email, BENCH_PASSWORD);
  const event = loginEvent(JSON.stringify({ email, password: BENCH_PASSWORD }));
  // DynamoDB Local is a JVM: its first few hundred requests run cold. Warm it with the login's own
  // requests (untimed, no hash) so the figures are its steady state, not Java's JIT.
  const users = createDynamoDbUserStore(client, env.USERS_TABLE!);
  const sessions = createDynamoDbSessionStore(client, env.SESSIONS_TABLE!);
  const alone: Record<string, number[]> = { 'users.findForLogin': [], 'sessions.create': [] };
  const timeAlone = async (name: string, call: () => Promise<unknown>, keep: boolean) => {
    const start = performance.now();
    await call();
    if (keep) alone[name]!.push(performance.now() - start);
  };
  for (let index = 0; index < storeWarmup; index++) {
    const now = Date.now();
    const keep = index >= storeWarmup / 2;
    await timeAlone('users.findForLogin', () => users.findForLogin(email), keep);
    const session = { id: newSessionId(), userId: 'warm-up', createdAt: now, lastUsedAt: now, idleExpiresAt: now + 60_000, absoluteExpiresAt: now + 60_000, generation: 0, tokenHash: 'warm-up' };
    await timeAlone('sessions.create', () => sessions.create(session), keep);
  }

  const pauses: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => void pauses.push(...list.getEntries().map((entry) => ({ start: entry.startTime, duration: entry.duration }))));
  observer.observe({ entryTypes: ['gc'] });
  const logins: { start: number; end: number; intervals: typeof intervals }[] = [];
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

  const wireWithin = (start: number, end: number) => wire.filter((call) => call.start >= start && call.end <= end).reduce((sum, call) => sum + call.end - call.start, 0);
  const gcWithin = (start: number, end: number) => pauses.filter((pause) => pause.start >= start && pause.start < end).reduce((sum, pause) => sum + pause.duration, 0);
  const samples: LoginSample[] = logins.map((login) => {
    const parts: Record<string, number> = {};
    const gcMs: Record<string, number> = {};
    const wireMs: Record<string, number> = {};
    for (const interval of login.intervals) {
      parts[interval.name] = (parts[interval.name] ?? 0) + interval.end - interval.start;
      gcMs[interval.name] = (gcMs[interval.name] ?? 0) + gcWithin(interval.start, interval.end);
      wireMs[interval.name] = (wireMs[interval.name] ?? 0) + wireWithin(interval.start, interval.end);
    }
    const totalMs = login.end - login.start;
    const sum = (values: Record<string, number>) => Object.values(values).reduce((total, value) => total + value, 0);
    parts[REST_PART] = totalMs - sum(parts);
    gcMs[REST_PART] = gcWithin(login.start, login.end) - sum(gcMs);
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

/** The same object with every method timed into `record` as "<prefix>.<method>" (performance.now() timestamps). */
function timed<T extends object>(prefix: string, target: T, record: (name: string, start: number, end: number) => void): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    wrapped[name] =
      typeof value === 'function'
        ? async (...args: unknown[]) => {
            const start = performance.now();
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            } finally {
              record(`${prefix}.${name}`, start, performance.now());
            }
          }
        : value;
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
