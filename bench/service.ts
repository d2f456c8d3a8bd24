/**
 * The service's domain parts, built by the functions' composition (lib/compose/part.ts) over one
 * DynamoDB client whose requests (and, when asked, consumed capacity) the benchmark counts.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describeAccount, register } from '../lib/accounts/account-service';
import { passwordLogin } from '../lib/accounts/login';
import type { PasswordHasher } from '../lib/accounts/password';
import type { UserStore } from '../lib/accounts/user-store';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { systemClock, type Clock } from '../lib/core/clock';
import { logger as loggerPart, metrics as metricsPart } from '../lib/compose/observability';
import { compose, provide } from '../lib/compose/part';
import { attemptLimits, loginPolicy, passwordHasher, sessionOpener } from '../lib/compose/parts/sessions';
import { documentClient, sessionStore, userStore } from '../lib/compose/parts/storage';
import { refreshTokenCodec, sessionCursors } from '../lib/compose/parts/tokens';
import { loadStorageConfig, type Env } from '../lib/core/config';
import { createMemoryMetrics } from '../lib/metrics/metrics';
import { createLogger, type Logger } from '../lib/core/logger';
import { endAllSessions, listSessions, logout, type ClientInfo } from '../lib/sessions/session-service';
import type { SessionStore } from '../lib/sessions/session-store';

export interface BenchServiceOptions {
  readonly onRequest?: ((operation: string) => void) | undefined;
  readonly onConsumedCapacity?: ((operation: string, capacity: readonly ConsumedCapacity[]) => void) | undefined;
  /** An existing client instead of a new one (e.g. one with timing middleware). */
  readonly client?: DynamoDBDocumentClient | undefined;
  readonly passwords?: PasswordHasher | undefined;
  /** Wraps each store (and the hasher) before the services get it, e.g. with timers. */
  readonly wrap?: (<T extends object>(name: 'users' | 'sessions' | 'passwords', part: T) => T) | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
}

export type BenchService = Awaited<ReturnType<typeof createBenchService>>;

/** Register, login, refresh, logout, me, logout-all and the session list over DynamoDB (Local). */
export async function createBenchService(env: Env, options: BenchServiceOptions = {}) {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger('silent');
  const wrap = options.wrap ?? (<T extends object>(_name: string, part: T) => part);
  const storage = loadStorageConfig(env);
  const client = options.client ?? createDocumentClient({ endpoint: storage.dynamoDbEndpoint, onRequest: options.onRequest, onConsumedCapacity: options.onConsumedCapacity });
  // The functions' stores, each wrapped before any service gets it.
  const plain = compose(env, { clock, overrides: [provide(documentClient, client)] });
  const users: UserStore = wrap('users', await plain.get(userStore));
  const sessions: SessionStore = wrap('sessions', await plain.get(sessionStore));
  const passwords: PasswordHasher = wrap('passwords', options.passwords ?? (await plain.get(passwordHasher)));
  // The functions' composition, over the wrapped stores.
  const root = compose(env, {
    clock,
    overrides: [
      provide(documentClient, client),
      provide(userStore, users),
      provide(sessionStore, sessions),
      provide(passwordHasher, passwords),
      provide(loggerPart, Object.assign(logger, { addContext: () => undefined })),
      provide(metricsPart, createMemoryMetrics()),
    ],
  });
  const [refreshTokens, cursors, issuer, limits, policy] = await Promise.all([root.get(refreshTokenCodec), root.get(sessionCursors), root.get(sessionOpener), root.get(attemptLimits), root.get(loginPolicy)]);
  const sessionStoreValue = sessions;
  const loginDeps = { clock, users, passwords, limits, logger, sessions: issuer, policy };
  return {
    client,
    users,
    sessionStore: sessionStoreValue,
    register: (email: string, password: string) => register({ clock, users, passwords }, email, password),
    describe: (userId: string) => describeAccount({ users }, userId),
    login: (email: string, password: string, from: ClientInfo) => passwordLogin(loginDeps, email, password, from),
    refresh: (presented: string, from: ClientInfo) => issuer.refresh(presented, from),
    logout: (presented: string) => logout({ sessions: sessionStoreValue, refreshTokens, clock }, presented),
    logoutAll: (userId: string) => endAllSessions({ sessions: sessionStoreValue, clock }, userId, 'logout_all'),
    listSessions: (userId: string, currentSessionId: string, cursor?: string) => listSessions({ sessions: sessionStoreValue, cursors, clock }, userId, currentSessionId, cursor),
  };
}
