import { randomBytes } from 'node:crypto';
import { checkCredentials, passwordLogin, type LoginDelivery } from '../../lib/accounts/login';
import type { AccountChangeStore } from '../../lib/accounts/account-change-store';
import { createMemoryAccountChangeStore } from '../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../lib/accounts/memory-user-store';
import { createPasswordHasher } from '../../lib/accounts/password';
import type { UserStore } from '../../lib/accounts/user-store';
import { register } from '../../lib/accounts/account-service';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { createDynamoDbAccountChangeStore } from '../../lib/aws/dynamodb-account-change-store';
import { createDynamoDbMfaStore } from '../../lib/aws/dynamodb-mfa-store';
import { createDynamoDbSessionStore } from '../../lib/aws/dynamodb-session-store';
import { createDynamoDbUserStore } from '../../lib/aws/dynamodb-user-store';
import { loadAttemptLimits, loadHashKeys, loadLoginPolicy, loadSessionPolicy, loadStorageConfig, loadTokenConfig } from '../../lib/core/config';
import { MfaRequiredError } from '../../lib/core/errors';
import { createMemoryMfaStore } from '../../lib/mfa/memory-mfa-store';
import { createMfaCrypto } from '../../lib/mfa/mfa-crypto';
import {
  confirmTotp,
  createSecondFactorStarter,
  disableTotp,
  purgeMfaData,
  replaceRecoveryCodes,
  startTotpSetup,
  verifyMfaLogin,
  type SecondFactorProof,
} from '../../lib/mfa/mfa-service';
import type { MfaStore } from '../../lib/mfa/mfa-store';
import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { createMemorySessionStore } from '../../lib/sessions/memory-session-store';
import { createSessionIssuer, type ClientInfo } from '../../lib/sessions/session-service';
import type { SessionStore } from '../../lib/sessions/session-store';
import { createAccessTokenIssuer } from '../../lib/tokens/access-token-issuer';
import { importSigningKey } from '../../lib/tokens/keys';
import { createRefreshTokenCodec } from '../../lib/tokens/refresh-token';
import { capturingLogger, frozenClock, PASSWORD, testEnv, uniqueEmail } from './fixtures';

export const CLIENT: ClientInfo = { ip: '203.0.113.9', userAgent: 'mfa-test' };

/**
 * The MFA domain wired as lib/compose wires it, in memory or on DynamoDB Local, with a frozen
 * clock (starting 10 s into a TOTP step), cheap password hashing and a request counter.
 */
export async function createMfaKit(stores: 'memory' | 'dynamodb', env: Record<string, string> = {}) {
  const full = await testEnv(env);
  const clock = frozenClock(Math.floor(Date.now() / 30_000) * 30_000 + 10_000);
  const requests: string[] = [];
  const log = capturingLogger();
  const storage = loadStorageConfig(full);
  const client = createDocumentClient({ endpoint: storage.dynamoDbEndpoint, onRequest: (operation) => requests.push(operation) });
  let users: UserStore;
  let mfa: MfaStore;
  let sessionStore: SessionStore;
  let changes: AccountChangeStore;
  if (stores === 'memory') {
    const accounts = createMemoryUserStore();
    const memory = createMemoryMfaStore(accounts);
    [users, mfa, sessionStore, changes] = [memory.users, memory, createMemorySessionStore(), createMemoryAccountChangeStore(accounts.accounts)];
  } else {
    users = createDynamoDbUserStore(client, storage.usersTable);
    mfa = createDynamoDbMfaStore(client, storage.usersTable);
    sessionStore = createDynamoDbSessionStore(client, storage.sessionsTable, { usersTable: storage.usersTable });
    changes = createDynamoDbAccountChangeStore(client, storage.usersTable);
  }
  const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
  const keys = loadHashKeys(full);
  const crypto = createMfaCrypto(keys.current, keys.previous);
  const tokenConfig = loadTokenConfig(full, { requirePrivateKey: true });
  const accessTokens = createAccessTokenIssuer({ signingKey: await importSigningKey(tokenConfig), issuer: tokenConfig.issuer, audience: tokenConfig.audience, ttlSeconds: tokenConfig.accessTokenTtlSeconds, clock });
  const sessions = createSessionIssuer({ policy: loadSessionPolicy(full), clock, sessions: sessionStore, accessTokens, refreshTokens: createRefreshTokenCodec(keys.current, keys.previous), logger: log.logger });
  const limits = loadAttemptLimits(full);
  const base = { clock, users, mfa, crypto, logger: log.logger, limits, passwords };
  const secondFactor = createSecondFactorStarter({ clock, mfa, crypto });

  const kit = {
    clock,
    requests,
    log,
    users,
    mfa,
    sessionStore,
    crypto,
    keys,
    env: full,
    register: async (email = uniqueEmail('mfa')) => ({ email, userId: (await register({ clock, users, passwords }, email, PASSWORD)).userId }),
    login: (email: string, delivery: LoginDelivery = 'body', password = PASSWORD) =>
      passwordLogin({ ...base, sessions, policy: loadLoginPolicy(full), secondFactor }, email, password, CLIENT, delivery),
    /** The mfa_token of a login that must answer mfa_required. */
    loginForToken: async (email: string, delivery: LoginDelivery = 'body', password = PASSWORD) => {
      const error = await kit.login(email, delivery, password).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      if (!(error instanceof MfaRequiredError)) throw new Error(`expected mfa_required, got ${String(error)}`);
      return String(error.extraBody.mfa_token);
    },
    setup: (userId: string) => startTotpSetup({ ...base, issuer: 'Test Auth' }, userId),
    confirm: (userId: string, code: string) => confirmTotp(base, userId, code, CLIENT),
    disable: (userId: string, password: string, code: string) => disableTotp(base, userId, password, code, CLIENT),
    replaceCodes: (userId: string, password = PASSWORD) => replaceRecoveryCodes(base, userId, password, CLIENT),
    verify: (mfaToken: unknown, proof: SecondFactorProof) => verifyMfaLogin({ ...base, sessions }, mfaToken, proof, CLIENT),
    purge: (userId: string) => purgeMfaData({ mfa }, userId),
    checkPassword: (email: string, password: string) => checkCredentials(base, email, password, CLIENT),
    /** A new password, written as a reset or change writes it: the hash and the next credentials version together. */
    newPassword: async (email: string, userId: string, password = NEW_PASSWORD) => {
      if (!(await changes.setPasswordHash(email, userId, await passwords.hash(password)))) throw new Error('the account is gone');
    },
    /** The code of the current step, or `offset` steps away. */
    code: (secret: string, offset = 0) => codeForStep(secret, stepAt(clock.now()) + offset),
    /** Moves to the next 30-second step, so a fresh code may be spent. */
    nextStep: () => clock.advance(30_000),
    /** A registered account with TOTP on; the clock is already past the confirming step. */
    enrol: async (email?: string) => {
      const account = await kit.register(email);
      const { secret } = await kit.setup(account.userId);
      const { recoveryCodes } = await kit.confirm(account.userId, kit.code(secret));
      kit.nextStep();
      return { ...account, secret, recoveryCodes };
    },
  };
  return kit;
}

/** The password `newPassword` sets by default. */
export const NEW_PASSWORD = 'a new passphrase for the test';

export type MfaKit = Awaited<ReturnType<typeof createMfaKit>>;

/** The claims of a JWT, unverified (the token came from our own issuer in the test). */
export const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

export const randomMfaToken = () => randomBytes(32).toString('base64url');
