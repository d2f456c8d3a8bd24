import { createAccessTokenIssuer } from './tokens/access-token-issuer';
import { createAccountService, type AccountService } from './accounts/account-service';
import { systemClock, type Clock } from './core/clock';
import { loadAppConfig, type AppConfig, type Env } from './core/config';
import { importSigningKey, importVerificationKeys, type VerificationKeySet } from './tokens/keys';
import { createLambdaLogger, type LambdaLogger } from './aws/lambda-logger';
import { parseLogLevel, type Logger } from './core/logger';
import { createPasswordHasher, type PasswordHasher } from './accounts/password';
import { createRefreshTokenCodec } from './tokens/refresh-token';
import { createSessionService, type SessionService } from './sessions/session-service';
import { createDocumentClient } from './aws/dynamodb';
import { createDynamoDbSessionStore, type SessionStore } from './aws/dynamodb-session-store';
import { createDynamoDbUserStore, type UserStore } from './aws/dynamodb-user-store';

/** Everything a handler needs, built once per cold start. */
export interface App {
  readonly config: AppConfig;
  readonly logger: Logger & Partial<Pick<LambdaLogger, 'addContext'>>;
  readonly accounts: AccountService;
  readonly sessions: SessionService;
  readonly keySet: VerificationKeySet;
}

/** Replaceable parts: tests pass fakes or a counting client; production takes the defaults. */
export interface AppOverrides {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly users?: UserStore;
  readonly sessionStore?: SessionStore;
  readonly passwords?: PasswordHasher;
  readonly onDynamoDbRequest?: (operation: string) => void;
}

export async function createApp(env: Env, overrides: AppOverrides = {}): Promise<App> {
  const config = loadAppConfig(env);
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLambdaLogger(parseLogLevel(env.LOG_LEVEL));
  const needsClient = !overrides.users || !overrides.sessionStore;
  const client = needsClient ? createDocumentClient({ endpoint: config.dynamoDbEndpoint, onRequest: overrides.onDynamoDbRequest }) : undefined;
  const users = overrides.users ?? createDynamoDbUserStore(client!, config.usersTable);
  const sessionStore = overrides.sessionStore ?? createDynamoDbSessionStore(client!, config.sessionsTable);
  const passwords = overrides.passwords ?? createPasswordHasher();
  const [signingKey, keySet] = await Promise.all([importSigningKey(config), importVerificationKeys(config)]);
  const accessTokens = createAccessTokenIssuer({
    signingKey,
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.accessTokenTtlSeconds,
    clock,
  });
  return {
    config,
    logger,
    keySet,
    accounts: createAccountService({ clock, users, passwords }),
    sessions: createSessionService({
      policy: config,
      clock,
      users,
      sessions: sessionStore,
      passwords,
      accessTokens,
      refreshTokens: createRefreshTokenCodec(config.refreshTokenHashKey),
      logger,
    }),
  };
}
