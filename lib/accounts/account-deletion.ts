import type { Logger } from '../core/logger';
import type { ClientInfo } from '../sessions/session-service';
import type { AccountChangeStore } from './account-change-store';
import { checkCredentials, type CredentialCheckDeps } from './login';
import { accountOf } from './account-service';
import type { UserStore } from './user-store';

/**
 * Removes one kind of data kept about a user (one-time tokens here; TOTP data and passkeys from
 * their features). Must be idempotent: a deletion that failed part-way runs every purger again.
 */
export type Purger = (account: { readonly id: string; readonly email: string }) => Promise<void>;

/** What removing an account needs, once whoever asked is known to be allowed (the owner's password, or an admin). */
export interface RemovalDeps {
  readonly users: Pick<UserStore, 'clearAttempts'>;
  readonly changes: Pick<AccountChangeStore, 'deleteAccount'>;
  readonly logger: Logger;
  /** Run after the sessions have ended and before the account items go; add one per feature. */
  readonly purgers: readonly Purger[];
  /** Ends every session of the user (session-service's endAllSessions, bound to its store and deadline). */
  readonly endSessions: (userId: string) => Promise<number>;
}

export interface DeletionDeps extends CredentialCheckDeps, RemovalDeps {
  readonly users: CredentialCheckDeps['users'];
  readonly changes: AccountChangeStore;
}

/** The purger of one-time tokens, the first of every deletion. */
export const oneTimeTokenPurger = (changes: AccountChangeStore): Purger => (account) => changes.purgeTokens(account.id);

/**
 * Deletes the caller's account after checking its password (which counts toward the login
 * throttle), then removes it (removeAccount).
 */
export async function deleteAccount(deps: DeletionDeps, userId: string, password: string, client: ClientInfo): Promise<void> {
  const account = await accountOf(deps.users, userId);
  await checkCredentials(deps, account.email, password, client);
  await removeAccount(deps, account, client);
}

/**
 * Removes an account and everything kept about it; DELETE /me after the password check, and the
 * admin API (with the admin as `actorId`). The order makes a failure part-way retryable: sessions
 * first, then every purger, the login-failure record, and the account items last in one
 * transaction, since while they exist the password (or the admin's request) still finds the
 * account for the retry. Once they are gone the email can register again. A session opened by a
 * login racing the deletion is swept at the end.
 */
export async function removeAccount(deps: RemovalDeps, account: { readonly id: string; readonly email: string }, client: ClientInfo & { readonly actorId?: string | undefined }): Promise<void> {
  await deps.endSessions(account.id);
  await Promise.all(deps.purgers.map((purge) => purge(account)));
  await deps.users.clearAttempts(account.email);
  await deps.changes.deleteAccount(account.email, account.id);
  deps.logger.security('account_deleted', { userId: account.id, ...(client.actorId === undefined ? {} : { actorId: client.actorId }), ip: client.ip, userAgent: client.userAgent });
  await deps.endSessions(account.id).catch((error: unknown) => deps.logger.warn('final session sweep after an account deletion failed', { userId: account.id, error }));
}
