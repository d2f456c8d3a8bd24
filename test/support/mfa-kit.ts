import ROLE_MAP from '../../config/roles.json';
import { createRolesDecider } from '../../lib/authz/roles-decider';
import { parseRoleMap } from '../../lib/authz/roles';
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
import { emailKey } from '../../lib/aws/users-table';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { loadAttemptLimits, loadHashKeys, loadLoginPolicy, loadReauthPolicy, loadSessionPolicy, loadStorageConfig, loadTokenConfig } from '../../lib/core/config';
import { createKeyring } from '../../lib/core/keyring';
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
import { provePassword } from '../../lib/mfa/password-proof';
import { amrOf } from '../../lib/sessions/sign-in';
import type { FactorChange } from '../../lib/reauth/factor-change';
import type { SignIn } from '../../lib/reauth/recent-sign-in';
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
 * clock (starting 10 s into a TOTP step), cheap password hashing and a request counter. Accounts
 * are registered with a verified email, sensitive changes are made from a sign-in a second old
 * (password only, unless told otherwise), and factor notices are recorded in `notices`.
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
  let markVerified: (email: string) => Promise<void>;
  if (stores === 'memory') {
    const accounts = createMemoryUserStore();
    const memory = createMemoryMfaStore(accounts);
    [users, mfa, sessionStore, changes] = [memory.users, memory, createMemorySessionStore(), createMemoryAccountChangeStore(accounts.accounts)];
    markVerified = async (email) => void accounts.accounts.set(email, { ...accounts.accounts.get(email)!, emailVerified: true });
  } else {
    markVerified = async (email) => void (await client.send(new UpdateCommand({ TableName: storage.usersTable, Key: emailKey(email), UpdateExpression: 'SET emailVerified = :on', ExpressionAttributeValues: { ':on': true } })));
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
  // Roles as the service decides them (config/roles.json), from the account the flow read.
  const decideClaims = createRolesDecider(parseRoleMap(ROLE_MAP));
  const sessions = createSessionIssuer({ policy: loadSessionPolicy(full), clock, sessions: sessionStore, accessTokens, refreshTokens: createRefreshTokenCodec(createKeyring(keys.current, keys.previous)), logger: log.logger, decideClaims });
  const limits = loadAttemptLimits(full);
  const reauth = loadReauthPolicy(full);
  const notices: { userId: string; change: FactorChange }[] = [];
  const notify = async (account: { id: string }, change: FactorChange) => void notices.push({ userId: account.id, change });
  const passkeyOwners = new Set<string>();
  const hasPasskey = async (userId: string) => passkeyOwners.has(userId);
  const base = { clock, users, mfa, crypto, logger: log.logger, limits, passwords, reauth, notify, hasPasskey };
  const secondFactor = createSecondFactorStarter({ clock, mfa, crypto });
  /** A sign-in one second before now. */
  const recent = (amr: readonly string[] = ['pwd']): SignIn => ({ authTime: Math.floor(clock.now() / 1000) - 1, amr });

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
    reauth,
    notices,
    recent,
    /** Makes the kit's account-has-a-passkey answer true for this user. */
    givePasskey: (userId: string) => void passkeyOwners.add(userId),
    /** A new account, its email verified unless told otherwise. */
    register: async (email = uniqueEmail('mfa'), { verified = true }: { verified?: boolean } = {}) => {
      const { userId } = await register({ clock, users, passwords }, email, PASSWORD);
      if (verified) await markVerified(email);
      return { email, userId };
    },
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
    setup: (userId: string, signIn: SignIn = recent()) => startTotpSetup({ ...base, issuer: 'Test Auth' }, userId, signIn),
    confirm: (userId: string, code: string, signIn: SignIn = recent()) => confirmTotp(base, userId, signIn, code, CLIENT),
    disable: (userId: string, password: string, proof: string | SecondFactorProof) => disableTotp(base, userId, password, typeof proof === 'string' ? { code: proof } : proof, CLIENT),
    replaceCodes: (userId: string, password = PASSWORD) => replaceRecoveryCodes(base, userId, password, CLIENT),
    verify: (mfaToken: unknown, proof: SecondFactorProof) => verifyMfaLogin({ ...base, sessions }, mfaToken, proof, CLIENT),
    /** The password proof of a re-authentication: the `amr` it proves. */
    /** The `amr` a password proof (with a code) establishes. */
    provePassword: async (userId: string, password: string, second: { code?: string; recoveryCode?: string } = {}) => ({ amr: amrOf(await provePassword(base, userId, { kind: 'password', password, ...second }, CLIENT)) }),
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
    /**
     * A registered account with TOTP on, enrolled from a password-only sign-in; the clock is already
     * past the confirming step and past the enrolment's probation (sign-ins with it count as `mfa`).
     */
    enrol: async (email?: string) => {
      const account = await kit.register(email);
      const { secret } = await kit.setup(account.userId);
      const { recoveryCodes } = await kit.confirm(account.userId, kit.code(secret));
      kit.clock.advance(reauth.maxAgeSeconds * 1000);
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
