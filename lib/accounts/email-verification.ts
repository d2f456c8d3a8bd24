import type { Clock } from '../core/clock';
import { constantTimeEqual } from '../core/crypto';
import { InvalidOneTimeTokenError, ServiceUnavailableError, TooManyAttemptsError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { OneTimePurpose, OneTimeToken, OneTimeTokenCodec } from '../tokens/one-time-token';
import { accountOf, register, type AccountView } from './account-service';
import { BOUND_TO_CREDENTIALS, type AccountChangeStore, type StoredOneTimeToken } from './account-change-store';
import type { PasswordHasher } from './password';
import { logSendFailure, sendTokenEmail, type TokenEmailDeps } from './token-emails';
import { FIRST_CREDENTIALS_VERSION, type AccountCredentials, type UserStore } from './user-store';

/**
 * Registration with its verification email, a new verification email on request, and the
 * verification itself. Verifying needs a valid token (unused, unexpired, the newest one); an
 * account that is already verified accepts one too (204 again), but a used token never works
 * twice.
 */

export type VerificationDeps = TokenEmailDeps & { readonly users: UserStore; readonly logger: Logger };

/**
 * Creates the account, then sends its verification email. The account stands even when the
 * email cannot be sent, or its parts cannot be built (SES settings, the hash key): that is
 * logged (`email_send_failed`) and the token write undone, so the person can ask for a new email
 * at once with verify-request; an email that could not be sent is also kept in the outbox, which
 * sends it (with a fresh link) once the mail service answers again.
 */
export async function registerWithVerification(
  deps: { clock: Clock; users: UserStore; passwords: PasswordHasher; logger: Logger; emailParts: () => Promise<Omit<TokenEmailDeps, 'clock'>> },
  email: string,
  password: string,
): Promise<AccountView & { readonly userId: string }> {
  const account = await register(deps, email, password);
  try {
    const outcome = await sendTokenEmail({ ...(await deps.emailParts()), clock: deps.clock, logger: deps.logger }, 'verify_email', { id: account.userId, email: account.email, credentialsVersion: FIRST_CREDENTIALS_VERSION }, { keepOnFailure: true });
    if (!outcome.sent && outcome.reason === 'send_failed') logSendFailure(deps.logger, account.userId, 'verify_email', outcome.error);
  } catch (error) {
    logSendFailure(deps.logger, account.userId, 'verify_email', error);
  }
  return account;
}

/** Sends the caller a new verification email: 429 within a minute of the last one, 503 when it cannot be sent. */
export async function requestVerificationEmail(deps: VerificationDeps, userId: string): Promise<void> {
  const account = await accountOf(deps.users, userId);
  const outcome = await sendTokenEmail(deps, 'verify_email', account);
  if (outcome.sent) return;
  if (outcome.reason === 'throttled') {
    throw new TooManyAttemptsError(outcome.retryAfterSeconds, 'A verification email was sent less than a minute ago; check your inbox or try again later.');
  }
  logSendFailure(deps.logger, userId, 'verify_email', outcome.error);
  // Logged above by name only; the provider's message may quote the address.
  throw new ServiceUnavailableError();
}

/** Marks the email of the token's account verified, using the token up (one transaction). */
export async function verifyEmail(deps: { clock: Clock; users: UserStore; changes: AccountChangeStore; oneTimeTokens: OneTimeTokenCodec; logger: Logger }, presented: string): Promise<void> {
  const { token, account } = await accountOfToken(deps, 'verify_email', presented);
  const redeemed = await deps.changes.redeemToken('verify_email', account.id, deps.oneTimeTokens.hashesOf('verify_email', token), deps.clock.now(), { email: account.email });
  if (!redeemed) throw new InvalidOneTimeTokenError();
  deps.logger.security('email_verified', { userId: account.id });
}

/**
 * The token's account, if the token is the account's live one: a cheap read that spares a
 * password hash (or ending sessions) for a token that cannot work. A token bound to the
 * credentials is live only while the account's credentials version is the one it was issued
 * under (a newer password ended it). The redeeming transaction checks again; this check only
 * refuses early.
 */
export async function accountOfToken(
  deps: { clock: Clock; users: UserStore; changes: AccountChangeStore; oneTimeTokens: OneTimeTokenCodec },
  purpose: OneTimePurpose,
  presented: string,
): Promise<{ token: OneTimeToken; account: AccountCredentials; stored: StoredOneTimeToken }> {
  const token = deps.oneTimeTokens.parse(presented);
  if (!token) throw new InvalidOneTimeTokenError();
  const [account, stored] = await Promise.all([deps.users.findById(token.userId), deps.changes.findToken(purpose, token.userId)]);
  const live = stored?.tokenHash !== undefined && stored.expiresAt > deps.clock.now() && deps.oneTimeTokens.hashesOf(purpose, token).some((hash) => sameHash(hash, stored.tokenHash!));
  if (!account || !stored || !live) throw new InvalidOneTimeTokenError();
  if (BOUND_TO_CREDENTIALS[purpose] && stored.credentialsVersion !== account.credentialsVersion) throw new InvalidOneTimeTokenError();
  return { token, account, stored };
}

function sameHash(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return constantTimeEqual(left, right);
}
