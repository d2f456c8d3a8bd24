import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import type { Mailer } from '../email/mailer';
import { actionLink, passwordChangedEmail, passwordResetEmail, verificationEmail, type EmailAction } from '../email/messages';
import type { OneTimePurpose, OneTimeTokenCodec } from '../tokens/one-time-token';
import type { AccountChangeStore } from './account-change-store';

/**
 * Emails that carry a one-time token, and the "password changed" notice. A token email is sent
 * as: store the token's hash (superseding the older token, refused by the throttle within a
 * minute of the last email), send, and on a failed send put the stored item back as it was, so
 * that nothing half-written stays: no live token nobody received, no throttle for an email that
 * never left.
 */

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
}

export type TokenEmailOutcome =
  | { readonly sent: true }
  | { readonly sent: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number }
  | { readonly sent: false; readonly reason: 'send_failed'; readonly error: unknown };

/** The purposes whose token is emailed by sendTokenEmail, one outstanding token per account (factor notices have their own module, lib/reauth/factor-notices.ts). */
type AccountLinkPurpose = Exclude<OneTimePurpose, 'report_factor'>;

const ACTION_OF: Record<AccountLinkPurpose, EmailAction> = { verify_email: 'verify-email', reset_password: 'reset-password' };

/** Issues a token of `purpose` to the account and emails its link. */
export async function sendTokenEmail(deps: TokenEmailDeps, purpose: AccountLinkPurpose, account: { readonly id: string; readonly email: string }): Promise<TokenEmailOutcome> {
  const { clock, changes, oneTimeTokens, mailer, email } = deps;
  const now = clock.now();
  const ttlSeconds = purpose === 'verify_email' ? email.verificationTtlSeconds : email.passwordResetTtlSeconds;
  const { token, hash } = oneTimeTokens.mint(purpose, account.id);
  const issued = await changes.issueToken(purpose, account.id, { tokenHash: hash, expiresAt: now + ttlSeconds * 1000 }, now, EMAIL_INTERVAL_MS);
  if (!issued.issued) return { sent: false, reason: 'throttled', retryAfterSeconds: issued.retryAfterSeconds };
  const input = { to: account.email, link: actionLink(email.appBaseUrl, ACTION_OF[purpose], token.value), expiresInSeconds: ttlSeconds, serviceName: email.serviceName };
  try {
    await mailer.send(purpose === 'verify_email' ? verificationEmail(input) : passwordResetEmail(input));
    return { sent: true };
  } catch (error) {
    await changes.restoreToken(purpose, account.id, hash, issued.previous);
    return { sent: false, reason: 'send_failed', error };
  }
}

/** Sends the "your password was changed" notice; a failure is logged, never thrown (the change is done). */
export async function sendPasswordChangedNotice(deps: { clock: Clock; mailer: Mailer; email: Pick<EmailSettings, 'serviceName'>; logger: Logger }, account: { readonly id: string; readonly email: string }): Promise<void> {
  try {
    await deps.mailer.send(passwordChangedEmail({ to: account.email, at: deps.clock.now(), serviceName: deps.email.serviceName }));
  } catch (error) {
    logSendFailure(deps.logger, account.id, 'password_changed', error);
  }
}

/** The `email_send_failed` error event: names of the errors only, since a provider's message may quote the address. */
export function logSendFailure(logger: Logger, userId: string, kind: OneTimePurpose | 'password_changed', error: unknown): void {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.name : undefined;
  logger.error('email could not be sent', { userId, kind, errorName: error instanceof Error ? error.name : typeof error, causeName: cause });
  logger.security('email_send_failed', { userId, kind });
}
