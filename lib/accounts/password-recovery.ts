import type { Clock } from '../core/clock';
import { deadlineIn } from '../core/deadline';
import { InvalidOneTimeTokenError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ClientInfo } from '../sessions/session-service';
import type { OneTimeTokenCodec } from '../tokens/one-time-token';
import type { AccountChangeStore } from './account-change-store';
import { accountOfToken } from './email-verification';
import type { PasswordHasher } from './password';
import { EMAIL_FAILURE_RESERVE_MS, logSendFailure, sendPasswordChangedNotice, sendTokenEmail, type TokenEmailDeps } from './token-emails';
import type { UserStore } from './user-store';

/**
 * Forgot-password and reset.
 *
 * Forgot-password must not tell whether an account exists: the answer is always the same 202,
 * and it is given no earlier than `responseFloorMs` after the request started, whatever
 * happened (unknown email, throttled, sent, SES down). Sending an email takes tens of
 * milliseconds more than looking up an unknown email; a fixed floor above the sending time hides
 * that difference (the README, "Enumeration timing", says how the floor was measured). The send
 * is also held *within* the floor: a mail service that does not answer is given up in time to
 * undo the token and keep the email in the outbox before the floor, so it never makes a known
 * email's answer later. (A store that does not answer is a 503, for known and unknown emails alike.)
 */

/** Every forgot-password answer waits until this long after the request started (see the README, "Enumeration timing"). */
export const FORGOT_PASSWORD_RESPONSE_FLOOR_MS = 500;

/** A reset email's send is given up this long before the floor, besides the time kept to undo the token and keep the email. */
export const FLOOR_TAIL_MS = 50;

export interface ResponseFloor {
  readonly floorMs: number;
  /** Waits `ms` milliseconds (tests pass a fake that moves their frozen clock). */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Emails a reset link if the account exists (at most one a minute, silently); never throws on a send failure. */
export async function requestPasswordReset(deps: TokenEmailDeps & { users: UserStore; logger: Logger; floor: ResponseFloor }, email: string, client: ClientInfo): Promise<void> {
  const startedAt = deps.clock.now();
  const sendBy = deadlineIn(deps.floor.floorMs - FLOOR_TAIL_MS - EMAIL_FAILURE_RESERVE_MS);
  try {
    const account = await deps.users.findByEmail(email);
    // A disabled account gets no link (its reset would only lead to a refused login): the same 202, nothing sent.
    if (!account || account.disabled) return;
    try {
      const outcome = await sendTokenEmail(deps, 'reset_password', account, { keepOnFailure: true, sendBy });
      if (outcome.sent) deps.logger.security('password_reset_requested', { userId: account.id, ip: client.ip, userAgent: client.userAgent });
      else if (outcome.reason === 'send_failed') logSendFailure(deps.logger, account.id, 'reset_password', outcome.error);
    } catch (error) {
      // A storage failure here would otherwise be a 503 for known emails only: it is logged, and the answer stays 202.
      deps.logger.error('password reset email could not be prepared', { userId: account.id, error });
    }
  } finally {
    const remaining = startedAt + deps.floor.floorMs - deps.clock.now();
    if (remaining > 0) await deps.floor.sleep(remaining);
  }
}

export interface ResetDeps {
  readonly clock: Clock;
  readonly users: UserStore;
  readonly changes: AccountChangeStore;
  readonly oneTimeTokens: OneTimeTokenCodec;
  readonly passwords: PasswordHasher;
  readonly mailer: TokenEmailDeps['mailer'];
  readonly email: Pick<TokenEmailDeps['email'], 'serviceName'>;
  readonly logger: Logger;
  /** Keeps the notice for a retry when it cannot be sent. */
  readonly outbox?: TokenEmailDeps['outbox'];
  /** Ends every session of the user (session-service's endAllSessions, bound to its store and deadline). */
  readonly endSessions: (userId: string) => Promise<number>;
  /**
   * Run when the reset is the account's first proof of its mailbox: second factors enrolled before
   * it (TOTP, passkeys) were enrolled by whoever registered the email, who may not own it.
   */
  readonly forgetUnprovenFactors?: readonly ((account: { id: string; email: string }) => Promise<void>)[];
}

/**
 * Sets a new password with a reset token. Of concurrent resets with one token exactly one wins:
 * the token is used and the password and `emailVerified` set in ONE transaction, which also
 * requires the credentials version the link was issued under (a password change since ended the
 * link) and moves the account to the next one (ending pending MFA tokens and passkey challenges). Sessions are
 * ended and the login throttle cleared before it, so a failure there (503) leaves the token
 * valid for a retry; sessions are swept again after it (a login with the old password in
 * between), and the notice is sent.
 */
export async function resetPassword(deps: ResetDeps, presented: string, newPassword: string, client: ClientInfo): Promise<void> {
  const { token, account, stored } = await accountOfToken(deps, 'reset_password', presented);
  const passwordHash = await deps.passwords.hash(newPassword);
  // Retryable steps first: if one fails (503), the token is still valid for the retry.
  await Promise.all([deps.endSessions(account.id), deps.users.clearAttempts(account.email)]);
  if (!account.emailVerified) {
    await Promise.all((deps.forgetUnprovenFactors ?? []).map((forget) => forget(account)));
  }
  const redeemed = await deps.changes.redeemToken('reset_password', account.id, deps.oneTimeTokens.hashesOf('reset_password', token), deps.clock.now(), {
    email: account.email,
    passwordHash,
    credentialsVersion: stored.credentialsVersion,
  });
  if (!redeemed) throw new InvalidOneTimeTokenError();
  deps.logger.security('password_reset', { userId: account.id, ip: client.ip, userAgent: client.userAgent });
  await Promise.all([
    deps.endSessions(account.id).catch((error: unknown) => deps.logger.warn('second session sweep after a reset failed', { userId: account.id, error })),
    sendPasswordChangedNotice(deps, account),
  ]);
}
