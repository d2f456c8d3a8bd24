import { randomBytes } from 'node:crypto';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { describeAccount, register } from '../../lib/accounts/account-service';
import { passwordLogin } from '../../lib/accounts/login';
import { createMemoryAccountChangeStore } from '../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../lib/accounts/memory-user-store';
import type { PasswordHasher } from '../../lib/accounts/password';
import { logger as loggerPart, metrics as metricsPart } from '../../lib/compose/observability';
import { compose, provide, type Override } from '../../lib/compose/part';
import { accountChanges } from '../../lib/compose/parts/accounts';
import { attemptLimits, loginPolicy, passwordHasher, sessionOpener } from '../../lib/compose/parts/sessions';
import { documentClient, sessionStore, userStore } from '../../lib/compose/parts/storage';
import { refreshTokenCodec, sessionCursors } from '../../lib/compose/parts/tokens';
import { createMemoryMetrics } from '../../lib/metrics/metrics';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { createMemorySessionStore } from '../../lib/sessions/memory-session-store';
import { endAllSessions, endSession, endSessionsOfPasskey, listSessions, logout, type ClientInfo } from '../../lib/sessions/session-service';
import type { CredentialGuard, SessionStore } from '../../lib/sessions/session-store';
import type { Clock } from '../../lib/core/clock';
import { loadStorageConfig, type Env, type JwtAlgorithm } from '../../lib/core/config';
import { createLogger, type Logger } from '../../lib/core/logger';
import { PASSWORD_PROOF, passkeyProof, type SignInProof } from '../../lib/sessions/sign-in';
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

/** A complete, valid environment pointing at the run's DynamoDB Local (when the global setup started one). */
export async function testEnv(overrides: Env = {}): Promise<Env> {
  const algorithm = (overrides.JWT_ALG ?? 'ES256') as JwtAlgorithm;
  return {
    JWT_ALG: algorithm,
    JWT_PRIVATE_KEY: JSON.stringify(await signingJwk(algorithm)),
    REFRESH_TOKEN_HASH_KEY: generateHashKey(),
    // Unit tests run without the global setup: in-memory stores never read these names.
    USERS_TABLE: process.env.TEST_USERS_TABLE ?? 'unit-users',
    SESSIONS_TABLE: process.env.TEST_SESSIONS_TABLE ?? 'unit-sessions',
    EMAIL_OUTBOX_TABLE: process.env.TEST_EMAIL_OUTBOX_TABLE ?? 'unit-email-outbox',
    AUDIT_TABLE: process.env.TEST_AUDIT_TABLE ?? 'unit-audit',
    CLIENTS_TABLE: process.env.TEST_CLIENTS_TABLE ?? 'unit-clients',
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

/** The parts of the service, built by the functions' composition (lib/compose/part.ts), on DynamoDB Local or in memory. */
export interface TestServiceOptions {
  readonly passwords?: PasswordHasher;
  readonly stores?: 'dynamodb' | 'memory';
  readonly onConsumedCapacity?: (operation: string, capacity: readonly ConsumedCapacity[]) => void;
  /** More parts given instead of built (after the fixture's own). */
  readonly overrides?: readonly Override[];
}

/**
 * The real domain services with a frozen clock, a capturing logger and a counter of DynamoDB
 * requests, behind the facade the tests read: `app.accounts.register`, `app.sessions.login`...
 */
export async function createTestApp(env: Env = {}, options: TestServiceOptions = {}) {
  const full = await testEnv(env);
  const clock = frozenClock(Date.now());
  const requests: string[] = [];
  const log = capturingLogger();
  const storage = loadStorageConfig(full);
  const client = createDocumentClient({ endpoint: storage.dynamoDbEndpoint, onRequest: (operation) => requests.push(operation), onConsumedCapacity: options.onConsumedCapacity });
  const memory = options.stores === 'memory';
  const memoryUsers = createMemoryUserStore();
  const guardHolds = (guard: CredentialGuard) => {
    const account = memoryUsers.accounts.get(guard.email);
    if (account?.id !== guard.userId || account.disabled) return false;
    return 'passwordHash' in guard ? account.passwordHash === guard.passwordHash : account.credentialsVersion === guard.credentialsVersion;
  };
  // The functions' own composition, with the frozen clock, the capturing logger and the counting client.
  const root = compose(full, {
    clock,
    overrides: [
      provide(documentClient, client),
      provide(loggerPart, Object.assign(log.logger, { addContext: () => undefined })),
      provide(metricsPart, createMemoryMetrics()),
      ...(options.passwords ? [provide(passwordHasher, options.passwords)] : []),
      ...(memory
        ? [
            provide(userStore, memoryUsers),
            provide(accountChanges, createMemoryAccountChangeStore(memoryUsers.accounts)),
            provide(sessionStore, createMemorySessionStore({ guardHolds, rolesVersionOf: (guard) => memoryUsers.accounts.get(guard.email)?.rolesVersion ?? 0 })),
          ]
        : []),
      ...(options.overrides ?? []),
    ],
  });
  const [users, changes, sessionStoreBuilt, passwords, refreshTokens, cursors, issuer] = await Promise.all([
    root.get(userStore),
    root.get(accountChanges),
    root.get(sessionStore),
    root.get(passwordHasher),
    root.get(refreshTokenCodec),
    root.get(sessionCursors),
    root.get(sessionOpener),
  ]);
  const sessionStoreValue: SessionStore = sessionStoreBuilt;
  const loginDeps = { clock, users, passwords, limits: await root.get(attemptLimits), logger: log.logger, sessions: issuer, policy: await root.get(loginPolicy) };
  const app = {
    accounts: {
      register: (email: string, password: string) => register({ clock, users, passwords }, email, password),
      describe: (userId: string) => describeAccount({ users }, userId),
    },
    sessions: {
      login: (email: string, password: string, client: ClientInfo) => passwordLogin(loginDeps, email, password, client),
      refresh: (presented: string, client: ClientInfo) => issuer.refresh(presented, client),
      open: (userId: string, client: ClientInfo) => issuer.open(userId, [PASSWORD_PROOF], client),
      openWithPasskey: (userId: string, passkeyId: string, client: ClientInfo) => issuer.open(userId, [passkeyProof(passkeyId, true)], client),
      reauthenticate: (caller: { userId: string; sessionId: string }, proofs: readonly SignInProof[]) => issuer.reauthenticate(caller, proofs),
      endSessionsOfPasskey: (userId: string, passkeyId: string) => endSessionsOfPasskey({ sessions: sessionStoreValue, clock }, userId, passkeyId),
      logout: (presented: string) => logout({ sessions: sessionStoreValue, refreshTokens, clock }, presented),
      logoutAll: (userId: string, _client?: ClientInfo, deadline?: number) => endAllSessions({ sessions: sessionStoreValue, clock }, userId, 'logout_all', { deadline }),
      listSessions: (userId: string, currentSessionId: string, cursor?: string) => listSessions({ sessions: sessionStoreValue, cursors, clock }, userId, currentSessionId, cursor),
      endSession: (userId: string, sessionId: string) => endSession({ sessions: sessionStoreValue, clock }, userId, sessionId),
    },
  };
  return { app, clock, requests, log, users, changes, sessionStore: sessionStoreValue, sessionIssuer: issuer, passwords, refreshTokens, documents: client, env: full, root };
}

export const uniqueEmail = (prefix = 'user') => `${prefix}-${randomBytes(6).toString('hex')}@example.com`;

export const PASSWORD = 'correct horse battery staple';
