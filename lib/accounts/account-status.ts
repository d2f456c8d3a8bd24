import { NotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ClientInfo } from '../sessions/session-service';
import { accountOf } from './account-service';
import type { UserStore } from './user-store';

/**
 * Disabling and enabling an account (the admin API and the admin CLI).
 *
 * A disabled account gets no token anywhere: the flag is set first, in a write that also moves the
 * account to its next credentials version (pending MFA tokens, passkey challenges and reset links
 * die with it); then every session ends. A login that read the account just before the flag was set
 * cannot open a session after that sweep, because a session is stored only while the account item
 * is not disabled (the session store's guard). Refresh tokens of the ended sessions answer
 * invalid_refresh_token; access tokens already issued live until `exp`, but /me refuses them.
 */
export interface AccountStatusDeps {
  readonly users: Pick<UserStore, 'findById' | 'setDisabled'>;
  /** Ends every session of the user (the `disabled` account event's hook, bound to the deadline). */
  readonly endSessions: (userId: string) => Promise<number>;
  readonly logger: Logger;
}

/** Who asked for a change on someone's account: an admin (their user id) or the operator's CLI (none). */
export interface Actor extends ClientInfo {
  readonly actorId?: string | undefined;
}

/** Disables the account and ends its sessions; disabling a disabled account ends them again. 404 for an unknown id. */
export async function disableAccount(deps: AccountStatusDeps, userId: string, actor: Actor = {}): Promise<void> {
  const account = await accountOf(deps.users, userId);
  if (!(await deps.users.setDisabled(account, true))) throw new NotFoundError('The account');
  deps.logger.security('account_disabled', { userId, actorId: actor.actorId, ip: actor.ip, userAgent: actor.userAgent });
  // After the flag: a retry after a failure here (503) finds the flag set and sweeps again.
  await deps.endSessions(account.id);
}

/** Enables the account again (sessions ended by the disable stay ended). 404 for an unknown id. */
export async function enableAccount(deps: Omit<AccountStatusDeps, 'endSessions'>, userId: string, actor: Actor = {}): Promise<void> {
  const account = await accountOf(deps.users, userId);
  if (!(await deps.users.setDisabled(account, false))) throw new NotFoundError('The account');
  deps.logger.security('account_enabled', { userId, actorId: actor.actorId, ip: actor.ip, userAgent: actor.userAgent });
}
