/**
 * Factor notices: every second factor added or removed (TOTP on or off, a passkey added or
 * removed, new recovery codes) emails the account a notice whose one link,
 * `<APP_BASE_URL>?action=report-factor#token=<token>`, says "this wasn't me". POST
 * /auth/factors/report with that token undoes the change where it can (turns that TOTP enrolment
 * off, drops those recovery codes, removes that passkey: each only if it is still there) and ends
 * every session of the account. A removal cannot be undone: reporting it ends the sessions.
 *
 * The token is a one-time token of purpose `report_factor` (lib/tokens/one-time-token.ts): 256
 * random bits, only its keyed hash stored, 7 days, single use. Each notice has its own token, so
 * every outstanding link works (factor-notice-store.ts).
 *
 * Redeeming it reads the notice, undoes the change and ends the sessions (each step idempotent),
 * and only then spends the token with one conditional write: a failure part-way (503) leaves the
 * link working for a retry, and of concurrent uses exactly one gets 204.
 */
import { logSendFailure, type EmailSettings } from '../accounts/token-emails';
import type { AccountCredentials, UserStore } from '../accounts/user-store';
import type { Clock } from '../core/clock';
import { InvalidOneTimeTokenError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Mailer } from '../email/mailer';
import { actionLink, factorNoticeEmail } from '../email/messages';
import type { OneTimeTokenCodec } from '../tokens/one-time-token';
import type { FactorChange, FactorNotifier } from './factor-change';
import type { FactorNoticeStore } from './factor-notice-store';

/** How long a notice's link works. */
export const FACTOR_NOTICE_TTL_SECONDS = 7 * 86_400;

export interface FactorNoticeDeps {
  readonly clock: Clock;
  readonly notices: FactorNoticeStore;
  readonly oneTimeTokens: Pick<OneTimeTokenCodec, 'mint'>;
  readonly mailer: Mailer;
  readonly email: Pick<EmailSettings, 'appBaseUrl' | 'serviceName'>;
  readonly logger: Logger;
}

/**
 * The FactorNotifier of a function: stores a fresh report token and emails the notice. A failure
 * (store or mail service) is logged as `email_send_failed`, never thrown: the change is already made.
 */
export function createFactorNotifier(deps: FactorNoticeDeps): FactorNotifier {
  return async (account, change) => {
    const { clock, notices, oneTimeTokens, mailer, email } = deps;
    const at = clock.now();
    try {
      const { token, hash } = oneTimeTokens.mint('report_factor', account.id);
      await notices.put(account.id, { tokenHash: hash, change, expiresAt: at + FACTOR_NOTICE_TTL_SECONDS * 1000 }, at);
      const link = actionLink(email.appBaseUrl, 'report-factor', token.value);
      await mailer.send(factorNoticeEmail({ to: account.email, link, change: change.kind, at, expiresInSeconds: FACTOR_NOTICE_TTL_SECONDS, serviceName: email.serviceName }));
    } catch (error) {
      logSendFailure(deps.logger, account.id, 'report_factor', error);
    }
  };
}

/** Undoes a reported change on the account; each returns false when that factor is no longer there. */
export interface FactorRemovers {
  readonly totp: (account: AccountCredentials, enrolledAt: number) => Promise<boolean>;
  readonly recoveryCodes: (account: AccountCredentials, issuedAt: number) => Promise<boolean>;
  readonly passkey: (account: AccountCredentials, credentialId: string) => Promise<boolean>;
}

export interface FactorReportDeps {
  readonly clock: Clock;
  readonly users: Pick<UserStore, 'findById'>;
  readonly notices: FactorNoticeStore;
  readonly oneTimeTokens: Pick<OneTimeTokenCodec, 'parse' | 'hashesOf'>;
  readonly remove: FactorRemovers;
  /** Ends every session of the user (session-service's endAllSessions, bound to its store and deadline). */
  readonly endSessions: (userId: string) => Promise<number>;
  readonly logger: Logger;
}

/** "This wasn't me": undoes the reported change if it can, ends every session, spends the link. 400 invalid_one_time_token when the link is unknown, used or expired. */
export async function reportFactor(deps: FactorReportDeps, presented: unknown): Promise<void> {
  const { clock, users, notices, oneTimeTokens, logger } = deps;
  const token = oneTimeTokens.parse(presented);
  if (!token) throw new InvalidOneTimeTokenError();
  const now = clock.now();
  const notice = await notices.find(token.userId, oneTimeTokens.hashesOf('report_factor', token), now);
  const account = notice && (await users.findById(token.userId));
  if (!notice || !account) throw new InvalidOneTimeTokenError();
  const removed = await undo(deps.remove, account, notice.change);
  await deps.endSessions(account.id);
  if (!(await notices.spend(account.id, notice.tokenHash, now))) throw new InvalidOneTimeTokenError();
  logger.security('factor_reported', { userId: account.id, change: notice.change.kind, factorRemoved: removed });
}

function undo(remove: FactorRemovers, account: AccountCredentials, change: FactorChange): Promise<boolean> {
  switch (change.kind) {
    case 'totp_enabled':
      return remove.totp(account, change.enrolledAt);
    case 'recovery_codes_replaced':
      return remove.recoveryCodes(account, change.issuedAt);
    case 'passkey_added':
      return remove.passkey(account, change.credentialId);
    case 'totp_disabled':
    case 'passkey_removed':
      return Promise.resolve(false);
  }
}
