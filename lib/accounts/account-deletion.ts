import type { ClientInfo } from '../sessions/session-service';
import type { AccountChangeStore } from './account-change-store';
import { checkCredentials, type CredentialCheckDeps } from './login';
import { accountOf } from './account-service';

/**
 * Removes one kind of data kept about a user (one-time tokens here; TOTP data and passkeys from
 * their features). Must be idempotent: a deletion that failed part-way runs every purger again.
 */
export type Purger = (account: { readonly id: string; readonly email: string }) => Promise<void>;

export interface DeletionDeps extends CredentialCheckDeps {
  readonly changes: AccountChangeStore;
  /** Run after the sessions have ended and before the account items go; add one per feature. */
  readonly purgers: readonly Purger[];
  /** Ends every session of the user (session-service's endAllSessions, bound to its store and deadline). */
  readonly endSessions: (userId: string) => Promise<number>;
}

/** The purger of one-time tokens, the first of every deletion. */
export const oneTimeTokenPurger = (changes: AccountChangeStore): Purger => (account) => changes.purgeTokens(account.id);

/**
 * Deletes the caller's account after checking its password (which counts toward the login
 * throttle). The order makes a failure part-way retryable: sessions first, then every purger,
 * the login-failure record, and the account items last in one transaction, since while they
 * exist the password still works for the retry. Once they are gone the email can register again.
 * A session opened by a login racing the deletion is swept at the end.
 */
export async function deleteAccount(deps: DeletionDeps, userId: string, password: string, client: ClientInfo): Promise<void> {
  const account = await accountOf(deps.users, userId);
  await checkCredentials(deps, account.email, password, client);
  await deps.endSessions(account.id);
  await Promise.all(deps.purgers.map((purge) => purge(account)));
  await deps.users.clearAttempts(account.email);
  await deps.changes.deleteAccount(account.email, account.id);
  deps.logger.security('account_deleted', { userId: account.id, ip: client.ip, userAgent: client.userAgent });
  await deps.endSessions(account.id).catch((error: unknown) => deps.logger.warn('final session sweep after an account deletion failed', { userId: account.id, error }));
}
