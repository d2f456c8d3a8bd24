import type { Clock } from '../core/clock';
import { AccountDisabledError, EmailNotVerifiedError, InvalidCredentialsError, MfaRequiredError, TooManyAttemptsError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ClientInfo, IssuedTokens, RefreshTokenDelivery, SessionIssuer } from '../sessions/session-service';
import { AMR_OF_METHOD, PASSWORD_PROOF } from '../sessions/sign-in';
import type { PasswordHasher } from './password';
import type { AccountCredentials, AttemptDecision, AttemptLimits, PasswordAccount, UserStore } from './user-store';

export interface CredentialCheckDeps {
  readonly clock: Clock;
  readonly users: UserStore;
  readonly passwords: PasswordHasher;
  readonly limits: AttemptLimits;
  readonly logger: Logger;
}

/**
 * True when the account has a password and this is it. An unknown email, and an account without
 * a password (one created through another identity provider), cost a full hash against a dummy
 * all the same: the answer takes as long, and says the same, as a wrong password.
 */
export async function confirmPassword(passwords: Pick<PasswordHasher, 'verify' | 'verifyAgainstNothing'>, account: AccountCredentials | undefined, password: string): Promise<boolean> {
  return account?.passwordHash === undefined ? passwords.verifyAgainstNothing(password) : passwords.verify(password, account.passwordHash);
}

/**
 * Checks an email and password under the per-email throttle: the attempt is counted first, in
 * one conditional write, so however many requests race, at most `limits.maxAttempts` password
 * checks happen per window; past that the answer is 429 without touching the hash. An unknown
 * email costs a full hash too, and gets the same error. A right password does NOT reset the count
 * by itself: on an account with a second factor that would hand out fresh guesses at the code
 * with every password step. Callers reset it (`resetAttemptsAfterSuccess`) once the whole
 * authentication has succeeded.
 */
export async function checkCredentials(deps: CredentialCheckDeps, email: string, password: string, client: ClientInfo): Promise<PasswordAccount> {
  const { clock, users, passwords, limits, logger } = deps;
  const now = clock.now();
  const [decision, account] = await Promise.all([users.countAttempt(email, now, limits), users.findByEmail(email)]);
  refuseWhenThrottled(decision, { logger, userId: account?.id, client });
  const valid = await confirmPassword(passwords, account, password);
  if (!account?.passwordHash || !valid) {
    logger.security('login_failed', { userId: account?.id, knownAccount: Boolean(account), ip: client.ip, userAgent: client.userAgent });
    throw new InvalidCredentialsError();
  }
  return { ...account, passwordHash: await rehashIfOutdated(deps, { ...account, passwordHash: account.passwordHash }, password) };
}

/**
 * Re-hashes with today's parameters after a successful check; a failure here never fails the
 * login. Returns the hash the account now holds.
 */
async function rehashIfOutdated({ users, passwords, logger }: CredentialCheckDeps, account: PasswordAccount, password: string): Promise<string> {
  if (!passwords.needsRehash(account.passwordHash)) return account.passwordHash;
  try {
    const rehashed = await passwords.hash(password);
    if (await users.replacePasswordHash(account.email, account.passwordHash, rehashed)) {
      logger.security('password_rehashed', { userId: account.id });
      return rehashed;
    }
  } catch (error) {
    logger.warn('password rehash failed', { userId: account.id, error });
  }
  return account.passwordHash;
}

/** How the refresh token of a login travels (the login's `refresh_token_delivery`). */
export type LoginDelivery = RefreshTokenDelivery;

/**
 * Starts the second step of a login on an account with TOTP on (lib/mfa): keeps what the
 * second step needs under a fresh MFA token and returns it.
 */
export type SecondFactorStarter = (login: { userId: string; email: string; credentialsVersion: number; amr: readonly string[]; delivery: LoginDelivery }) => Promise<{ mfaToken: string; expiresIn: number }>;

/**
 * Refuses a disabled account with 403 account_disabled: called only once the password or passkey
 * was checked, so the answer reveals nothing to someone without it. The attempt stays counted.
 */
export function refuseDisabled(logger: Logger, account: Pick<AccountCredentials, 'id' | 'disabled'>, client: ClientInfo): void {
  if (!account.disabled) return;
  logger.security('login_failed', { userId: account.id, knownAccount: true, reason: 'account_disabled', ip: client.ip, userAgent: client.userAgent });
  throw new AccountDisabledError();
}

/**
 * A password login: credentials, then the account's login policy, then a session with
 * `amr: ["pwd"]`; or, on an account with TOTP on, MfaRequiredError with an MFA token that
 * remembers `delivery`, and nothing issued.
 */
export async function passwordLogin(
  deps: CredentialCheckDeps & { sessions: SessionIssuer; policy: { requireVerifiedEmail: boolean }; secondFactor?: SecondFactorStarter },
  email: string,
  password: string,
  client: ClientInfo,
  delivery: LoginDelivery = 'body',
): Promise<IssuedTokens> {
  const account = await checkCredentials(deps, email, password, client);
  refuseDisabled(deps.logger, account, client);
  if (deps.policy.requireVerifiedEmail && !account.emailVerified) throw new EmailNotVerifiedError();
  await resetAttemptsAfterSuccess(deps, account);
  if (account.mfaEnabled) {
    // Fail closed: a composition without the second step must never open a session here.
    if (!deps.secondFactor) throw new Error('TOTP is on for this account but no second-factor starter is wired');
    const started = await deps.secondFactor({ userId: account.id, email: account.email, credentialsVersion: account.credentialsVersion, amr: AMR_OF_METHOD.password, delivery });
    throw new MfaRequiredError(started.mfaToken, started.expiresIn);
  }
  // Guarded: if a reset or change replaced this password meanwhile, no session is opened. The
  // account read here decides the session's roles (no second read).
  return deps.sessions.open(account.id, [PASSWORD_PROOF], client, { email: account.email, userId: account.id, passwordHash: account.passwordHash }, account);
}

/** Counts one attempt (a password or a second-factor code) for an email; 429 when over the limit. */
export async function countAttempt(deps: Pick<CredentialCheckDeps, 'clock' | 'users' | 'limits' | 'logger'>, email: string, userId: string | undefined, client: ClientInfo): Promise<void> {
  refuseWhenThrottled(await deps.users.countAttempt(email, deps.clock.now(), deps.limits), { logger: deps.logger, userId, client });
}

function refuseWhenThrottled(decision: AttemptDecision, { logger, userId, client }: { logger: Logger; userId: string | undefined; client: ClientInfo }): void {
  if (decision.allowed) return;
  logger.security('login_throttled', { userId, ip: client.ip, userAgent: client.userAgent });
  throw new TooManyAttemptsError(decision.retryAfterSeconds);
}

/**
 * Settles the attempt count of an email after a right password. Without a second factor the
 * authentication is complete: the count is reset. With one, only a right code resets it
 * (lib/mfa); the right password just takes back its own attempt, so the password step can never
 * be used to buy more guesses at the code, and an honest login is not charged for it.
 */
export async function resetAttemptsAfterSuccess(deps: { users: Pick<UserStore, 'clearAttempts' | 'uncountAttempt'> }, account: Pick<AccountCredentials, 'email' | 'mfaEnabled'>): Promise<void> {
  await (account.mfaEnabled ? deps.users.uncountAttempt(account.email) : deps.users.clearAttempts(account.email));
}
