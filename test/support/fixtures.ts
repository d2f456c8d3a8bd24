import { randomBytes } from 'node:crypto';
import { createApp, type App, type AppOverrides } from '../../lib/app';
import type { Clock } from '../../lib/core/clock';
import type { Env, JwtAlgorithm } from '../../lib/core/config';
import { createLogger, type Logger } from '../../lib/core/logger';
import { generateHashKey, generateSigningJwk } from '../../scripts/dev/keys';

export interface FrozenClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** A clock that moves only when told. */
export function frozenClock(start = Date.UTC(2026, 0, 1)): FrozenClock {
  let now = start;
  return { now: () => now, set: (ms) => (now = ms), advance: (ms) => (now += ms) };
}

const keyCache = new Map<JwtAlgorithm, Promise<Record<string, unknown>>>();

/** A signing key per algorithm, made once per test file. */
export const signingJwk = (algorithm: JwtAlgorithm) => {
  if (!keyCache.has(algorithm)) keyCache.set(algorithm, generateSigningJwk(algorithm));
  return keyCache.get(algorithm)!;
};

/** A complete, valid environment pointing at the run's DynamoDB Local. */
export async function testEnv(overrides: Env = {}): Promise<Env> {
  const algorithm = (overrides.JWT_ALG ?? 'ES256') as JwtAlgorithm;
  return {
    JWT_ALG: algorithm,
    JWT_PRIVATE_KEY: JSON.stringify(await signingJwk(algorithm)),
    REFRESH_TOKEN_HASH_KEY: generateHashKey(),
    USERS_TABLE: process.env.TEST_USERS_TABLE,
    SESSIONS_TABLE: process.env.TEST_SESSIONS_TABLE,
    DYNAMODB_ENDPOINT: process.env.TEST_DYNAMODB_ENDPOINT,
    JWT_ISSUER: 'https://auth.test',
    JWT_AUDIENCE: 'test-api',
    ...overrides,
  };
}

/** Log lines as parsed objects, for asserting on security events and on what is never logged. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[]; raw: string[] } {
  const raw: string[] = [];
  const logger = createLogger('debug', {}, (line) => raw.push(line));
  return {
    logger,
    raw,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}

/** The real app against DynamoDB Local, with a frozen clock and a counter of DynamoDB requests. */
export async function createTestApp(env: Env = {}, overrides: AppOverrides = {}) {
  const clock = frozenClock(Date.now());
  const requests: string[] = [];
  const log = capturingLogger();
  const app: App = await createApp(await testEnv(env), {
    clock,
    logger: log.logger,
    onDynamoDbRequest: (operation) => requests.push(operation),
    ...overrides,
  });
  return { app, clock, requests, log };
}

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomBytes(6).toString('hex')}@example.com`;

export const PASSWORD = 'correct horse battery staple';
