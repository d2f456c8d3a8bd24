import { InvalidCredentialsError } from '../core/errors';
import type { ClientInfo } from '../sessions/session-service';
import type { AccountChangeStore } from './account-change-store';
import { checkCredentials, resetAttemptsAfterSuccess, type CredentialCheckDeps } from './login';
import { sendPasswordChangedNotice, type TokenEmailDeps } from './token-emails';
import { accountOf } from './account-service';

export interface ChangeDeps extends CredentialCheckDeps {
  readonly changes: AccountChangeStore;
  readonly mailer: TokenEmailDeps['mailer'];
  readonly email: Pick<TokenEmailDeps['email'], 'serviceName'>;
  /** Keeps the notice for a retry when it cannot be sent. */
  readonly outbox?: TokenEmailDeps['outbox'];
  /** Ends every session of the user but `except` (session-service's endAllSessions, bound to its store and deadline). */
  readonly endOtherSessions: (userId: string, except: string) => Promise<number>;
}

/**
 * Changes the caller's password. The current one goes through `checkCredentials`, so a wrong one
 * is 401 and counts toward the login throttle. Every other session is ended before the new hash
 * is written (a failure there is a 503 that changed nothing about the password) and swept again
 * after it; the caller's session stays. The write that sets the new hash also moves the account
 * to its next credentials version, which ends a reset link, pending MFA tokens and passkey
 * challenges issued before it. Then the notice goes out.
 */
export async function changePassword(deps: ChangeDeps, caller: { userId: string; sessionId: string }, currentPassword: string, newPassword: string, client: ClientInfo): Promise<void> {
  const account = await accountOf(deps.users, caller.userId);
  await checkCredentials(deps, account.email, currentPassword, client);
  await resetAttemptsAfterSuccess(deps, account);
  const passwordHash = await deps.passwords.hash(newPassword);
  await deps.endOtherSessions(account.id, caller.sessionId);
  // False only when the account was deleted (or its email taken over) meanwhile.
  if (!(await deps.changes.setPasswordHash(account.email, account.id, passwordHash))) throw new InvalidCredentialsError();
  deps.logger.security('password_changed', { userId: account.id, sessionId: caller.sessionId, ip: client.ip, userAgent: client.userAgent });
  await Promise.all([
    deps.endOtherSessions(account.id, caller.sessionId).catch((error: unknown) => deps.logger.warn('second session sweep after a password change failed', { userId: account.id, error })),
    sendPasswordChangedNotice(deps, account),
  ]);
}
