/**
 * The service's domain parts, built as lib/compose builds them for the functions, but over one
 * DynamoDB client whose requests (and, when asked, consumed capacity) the benchmark counts.
 * The same wiring as test/support/fixtures.ts createTestApp, which the benchmark must not import.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describeAccount, register } from '../lib/accounts/account-service';
import { passwordLogin } from '../lib/accounts/login';
import { createPasswordHasher, type PasswordHasher } from '../lib/accounts/password';
import type { UserStore } from '../lib/accounts/user-store';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { createDynamoDbSessionStore } from '../lib/aws/dynamodb-session-store';
import { createDynamoDbUserStore } from '../lib/aws/dynamodb-user-store';
import { systemClock, type Clock } from '../lib/core/clock';
import { loadAttemptLimits, loadHashKeys, loadLoginPolicy, loadSessionPolicy, loadStorageConfig, loadTokenConfig, type Env } from '../lib/core/config';
import { createKeyring } from '../lib/core/keyring';
import { createLogger, type Logger } from '../lib/core/logger';
import { createSessionCursorCodec } from '../lib/sessions/session-cursor';
import { createSessionIssuer, endAllSessions, listSessions, logout, type ClientInfo } from '../lib/sessions/session-service';
import type { SessionStore } from '../lib/sessions/session-store';
import { createAccessTokenIssuer } from '../lib/tokens/access-token-issuer';
import { importSigningKey } from '../lib/tokens/keys';
import { createRefreshTokenCodec } from '../lib/tokens/refresh-token';

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
  const users: UserStore = wrap('users', createDynamoDbUserStore(client, storage.usersTable));
  const sessionStore: SessionStore = wrap('sessions', createDynamoDbSessionStore(client, storage.sessionsTable, { usersTable: storage.usersTable }));
  const passwords: PasswordHasher = wrap('passwords', options.passwords ?? createPasswordHasher());
  const tokenConfig = loadTokenConfig(env, { requirePrivateKey: true });
  const hashKeys = loadHashKeys(env);
  const keyring = createKeyring(hashKeys.current, hashKeys.previous);
  const refreshTokens = createRefreshTokenCodec(keyring);
  const cursors = createSessionCursorCodec(keyring);
  const accessTokens = createAccessTokenIssuer({
    signingKey: await importSigningKey(tokenConfig),
    issuer: tokenConfig.issuer,
    audience: tokenConfig.audience,
    ttlSeconds: tokenConfig.accessTokenTtlSeconds,
    clock,
  });
  const issuer = createSessionIssuer({ policy: loadSessionPolicy(env), clock, sessions: sessionStore, accessTokens, refreshTokens, logger });
  const loginDeps = { clock, users, passwords, limits: loadAttemptLimits(env), logger, sessions: issuer, policy: loadLoginPolicy(env) };
  return {
    client,
    users,
    sessionStore,
    register: (email: string, password: string) => register({ clock, users, passwords }, email, password),
    describe: (userId: string) => describeAccount({ users }, userId),
    login: (email: string, password: string, from: ClientInfo) => passwordLogin(loginDeps, email, password, from),
    refresh: (presented: string, from: ClientInfo) => issuer.refresh(presented, from),
    logout: (presented: string) => logout({ sessions: sessionStore, refreshTokens, clock }, presented),
    logoutAll: (userId: string) => endAllSessions({ sessions: sessionStore, clock }, userId, 'logout_all'),
    listSessions: (userId: string, currentSessionId: string, cursor?: string) => listSessions({ sessions: sessionStore, cursors, clock }, userId, currentSessionId, cursor),
  };
}
