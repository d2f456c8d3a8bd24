import type { Clock } from '../core/clock';
import { leavingReserve, withDeadline } from '../core/deadline';
import type { Logger } from '../core/logger';
import { EmailSendError, type Mailer } from '../email/mailer';
import { actionLink, passwordChangedEmail, passwordResetEmail, verificationEmail, type EmailAction } from '../email/messages';
import type { EmailIntent, EmailOutbox, EmailResender } from '../email/outbox';
import type { OneTimePurpose, OneTimeTokenCodec } from '../tokens/one-time-token';
import type { AccountChangeStore } from './account-change-store';
import type { UserStore } from './user-store';

/**
 * Emails that carry a one-time token, and the "password changed" notice. A token email is sent
 * as: store the token's hash (superseding the older token, refused by the throttle within a
 * minute of the last email), send, and on a failed send put the stored item back as it was, so
 * that nothing half-written stays: no live token nobody received, no throttle for an email that
 * never left. Where the caller asks for it, the failed email is also kept in the outbox
 * (lib/email/outbox.ts), whose retry composes it again with a fresh token.
 *
 * A send that got no answer (given up at its deadline) may have reached the mail service all the
 * same. Its token then stays, so the link works if the email does arrive, and counts for the
 * throttle; the outbox sends a fresh one after the throttle's minute, unless that link was used
 * meanwhile (then it surely arrived).
 *
 * A send that does not answer is abandoned in time to leave `EMAIL_FAILURE_RESERVE_MS` before
 * the deadline for those two writes.
 */

/** Time kept after a send that failed, before the deadline, to undo the token and keep the email. */
export const EMAIL_FAILURE_RESERVE_MS = 150;

/** At most one email of a purpose per account per minute (the contract's throttle). */
export const EMAIL_INTERVAL_MS = 60_000;

export interface EmailSettings {
  readonly appBaseUrl: string;
  readonly serviceName: string;
  readonly verificationTtlSeconds: number;
  readonly passwordResetTtlSeconds: number;
}

export interface TokenEmailDeps {
  readonly clock: Clock;
  readonly changes: AccountChangeStore;
  readonly oneTimeTokens: OneTimeTokenCodec;
  readonly mailer: Mailer;
  readonly email: EmailSettings;
  /** Where an email that could not be sent is kept for a retry (when the caller asks for it). */
  readonly outbox?: EmailOutbox | undefined;
  readonly logger?: Logger | undefined;
}

export type TokenEmailOutcome =
  | { readonly sent: true }
  | { readonly sent: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number }
  | { readonly sent: false; readonly reason: 'send_failed'; readonly error: unknown };

/** The purposes whose token is emailed by sendTokenEmail, one outstanding token per account (factor notices have their own module, lib/reauth/factor-notices.ts). */
export type AccountLinkPurpose = Exclude<OneTimePurpose, 'report_factor'>;

const ACTION_OF: Record<AccountLinkPurpose, EmailAction> = { verify_email: 'verify-email', reset_password: 'reset-password' };

/**
 * Issues a token of `purpose` to the account (under its current credentials version) and emails
 * its link. With `keepOnFailure`, an email that could not be sent goes to the outbox (the caller
 * answers as if it had been sent). With `sendBy` (epoch ms, lib/core/deadline.ts), a send still
 * unanswered then is given up.
 */
export async function sendTokenEmail(
  deps: TokenEmailDeps,
  purpose: AccountLinkPurpose,
  account: { readonly id: string; readonly email: string; readonly credentialsVersion: number },
  { keepOnFailure = false, sendBy }: { keepOnFailure?: boolean; sendBy?: number } = {},
): Promise<TokenEmailOutcome> {
  const { clock, changes, oneTimeTokens, mailer, email } = deps;
  const now = clock.now();
  const ttlSeconds = purpose === 'verify_email' ? email.verificationTtlSeconds : email.passwordResetTtlSeconds;
  const { token, hash } = oneTimeTokens.mint(purpose, account.id);
  const issued = await changes.issueToken(purpose, account.id, { tokenHash: hash, expiresAt: now + ttlSeconds * 1000, credentialsVersion: account.credentialsVersion }, now, EMAIL_INTERVAL_MS);
  if (!issued.issued) return { sent: false, reason: 'throttled', retryAfterSeconds: issued.retryAfterSeconds };
  const input = { to: account.email, link: actionLink(email.appBaseUrl, ACTION_OF[purpose], token.value), expiresInSeconds: ttlSeconds, serviceName: email.serviceName };
  try {
    const send = () => mailer.send(purpose === 'verify_email' ? verificationEmail(input) : passwordResetEmail(input));
    await leavingReserve(EMAIL_FAILURE_RESERVE_MS, () => (sendBy === undefined ? send() : withDeadline(sendBy, send)));
    return { sent: true };
  } catch (error) {
    const mayHaveArrived = keepOnFailure && error instanceof EmailSendError && error.mayHaveBeenSent;
    await Promise.all([
      mayHaveArrived ? undefined : changes.restoreToken(purpose, account.id, hash, issued.previous),
      keepOnFailure ? keepForRetry(deps, { kind: purpose, userId: account.id, at: now }, mayHaveArrived ? now + EMAIL_INTERVAL_MS : undefined) : undefined,
    ]);
    return { sent: false, reason: 'send_failed', error };
  }
}

/**
 * Keeps a failed email in the outbox. If even that fails (the store is down too), the email is
 * lost: that is logged and counted as given up, never thrown (the request's own work is done).
 */
export async function keepForRetry(deps: { clock: Clock; outbox?: EmailOutbox | undefined; logger?: Logger | undefined }, intent: EmailIntent, dueAt?: number): Promise<void> {
  try {
    if (!deps.outbox) throw new Error('no outbox');
    await deps.outbox.keep(intent, deps.clock.now(), dueAt);
  } catch (error) {
    deps.logger?.error('an email that could not be sent could not be kept for a retry either', { userId: intent.userId, kind: intent.kind, errorName: error instanceof Error ? error.name : typeof error });
    deps.logger?.security('email_abandoned', { userId: intent.userId, kind: intent.kind });
  }
}

/**
 * The outbox's retry of a token email: a fresh token and link for the account as it is now.
 * Obsolete when the account is gone, its address verified meanwhile (verification), a newer
 * email of the purpose went out after the failed one, or the failed one's link was used (so it
 * did arrive). The failed send's token item has `sentAt` equal to the intent's `at`.
 */
export function tokenEmailResender(deps: Omit<TokenEmailDeps, 'outbox'> & { users: Pick<UserStore, 'findById'> }, purpose: AccountLinkPurpose): EmailResender {
  return async (entry) => {
    const account = await deps.users.findById(entry.userId);
    if (!account || (purpose === 'verify_email' && account.emailVerified)) return 'obsolete';
    const stored = await deps.changes.findToken(purpose, entry.userId);
    if (stored && (stored.sentAt > entry.at || (stored.sentAt === entry.at && stored.tokenHash === undefined))) return 'obsolete';
    const outcome = await sendTokenEmail(deps, purpose, account);
    if (outcome.sent) return 'sent';
    // Throttled by the token of the failed send itself (it could not be put back): later.
    if (outcome.reason === 'throttled') throw new Error(`throttled for ${outcome.retryAfterSeconds} s`);
    throw outcome.error;
  };
}

export interface NoticeDeps {
  readonly clock: Clock;
  readonly mailer: Mailer;
  readonly email: Pick<EmailSettings, 'serviceName'>;
  readonly logger: Logger;
  readonly outbox?: EmailOutbox | undefined;
}

/** Sends the "your password was changed" notice; a failure is logged and kept in the outbox, never thrown (the change is done). */
export async function sendPasswordChangedNotice(deps: NoticeDeps, account: { readonly id: string; readonly email: string }): Promise<void> {
  const at = deps.clock.now();
  try {
    await leavingReserve(EMAIL_FAILURE_RESERVE_MS, () => deps.mailer.send(passwordChangedEmail({ to: account.email, at, serviceName: deps.email.serviceName })));
  } catch (error) {
    logSendFailure(deps.logger, account.id, 'password_changed', error);
    await keepForRetry(deps, { kind: 'password_changed', userId: account.id, at });
  }
}

/** The outbox's retry of the notice, to the account's address as it is now; obsolete once the account is gone. */
export function passwordChangedResender(deps: { users: Pick<UserStore, 'findById'>; mailer: Mailer; email: Pick<EmailSettings, 'serviceName'> }): EmailResender {
  return async (entry) => {
    const account = await deps.users.findById(entry.userId);
    if (!account) return 'obsolete';
    await deps.mailer.send(passwordChangedEmail({ to: account.email, at: entry.at, serviceName: deps.email.serviceName }));
    return 'sent';
  };
}

/** The `email_send_failed` error event: names of the errors only, since a provider's message may quote the address. */
export function logSendFailure(logger: Logger, userId: string, kind: OneTimePurpose | 'password_changed', error: unknown): void {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.name : undefined;
  logger.error('email could not be sent', { userId, kind, errorName: error instanceof Error ? error.name : typeof error, causeName: cause });
  logger.security('email_send_failed', { userId, kind });
}
