/**
 * What an admin does to an account, each through the domain function the rest of the service
 * uses (account-status.ts, account-deletion.ts, session-service.ts), with two rules of its own:
 * the acting admin's id goes with every security event it raises, and an admin cannot disable,
 * delete or take `admin` from their own account (409 cannot_modify_self), so a stage is never left
 * without an admin by accident.
 */
import { removeAccount, type RemovalDeps } from '../accounts/account-deletion';
import { accountOf } from '../accounts/account-service';
import { disableAccount, enableAccount, type AccountStatusDeps } from '../accounts/account-status';
import { rolesOf, type UserStore } from '../accounts/user-store';
import { changeRoles, type RoleChangeDeps } from '../authz/role-change';
import { InvalidRolesError, MAX_ROLES, normalizeRoles, ROLE_PATTERN } from '../authz/roles';
import { CannotModifySelfError, InvalidRequestError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { AdminCaller } from './admin-access';
import { toAdminView, type AdminUserView } from './user-directory';

/** The role whose removal from oneself is refused. */
export const ADMIN_ROLE = 'admin';

const actorOf = (caller: AdminCaller) => ({ actorId: caller.userId, ip: caller.ip, userAgent: caller.userAgent });

/** The self rule: `what` an admin may not do to their own account. */
export function refuseSelf(caller: AdminCaller, userId: string, what: string): void {
  if (caller.userId === userId) throw new CannotModifySelfError(what);
}

/** The self rule for a change of roles: taking `admin` from oneself is refused; any other change of one's own roles is not. */
export function refuseSelfDemotion(caller: AdminCaller, userId: string, current: readonly string[], next: readonly unknown[]): void {
  if (caller.userId === userId && current.includes(ADMIN_ROLE) && !next.includes(ADMIN_ROLE)) throw new CannotModifySelfError(`remove "${ADMIN_ROLE}" from`);
}

export async function disableUser(deps: AccountStatusDeps, caller: AdminCaller, userId: string): Promise<void> {
  refuseSelf(caller, userId, 'disable');
  await disableAccount(deps, userId, actorOf(caller));
}

export async function enableUser(deps: Omit<AccountStatusDeps, 'endSessions'>, caller: AdminCaller, userId: string): Promise<void> {
  await enableAccount(deps, userId, actorOf(caller));
}

/** Ends every session of the account (as logout-all does, however many); 404 for an unknown id. Signing oneself out is allowed. */
export async function signOutUser(deps: { users: Pick<UserStore, 'findById'>; endSessions: (userId: string) => Promise<number>; logger: Logger }, caller: AdminCaller, userId: string): Promise<void> {
  const account = await accountOf(deps.users, userId);
  const ended = await deps.endSessions(account.id);
  deps.logger.security('sessions_ended_by_admin', { userId, ...actorOf(caller), sessionsEnded: ended });
}

/** Deletes the account as DELETE /me does, without a password; 404 for an unknown id. */
export async function deleteUser(deps: RemovalDeps & { users: RemovalDeps['users'] & Pick<UserStore, 'findById'> }, caller: AdminCaller, userId: string): Promise<void> {
  refuseSelf(caller, userId, 'delete');
  const account = await accountOf(deps.users, userId);
  await removeAccount(deps, account, actorOf(caller));
}

/** The 400 of a bad roles list: says which rule, never echoes a value. */
const ROLES_PROBLEM: Readonly<Record<InvalidRolesError['code'], string>> = {
  not_a_list: 'roles must be a list of role names',
  invalid_role: `roles must be role names (${ROLE_PATTERN.source})`,
  too_many: `an account holds at most ${MAX_ROLES} roles`,
};

/**
 * Replaces the account's roles (PUT /admin/users/{id}/roles) through the role change every
 * caller uses (lib/authz/role-change.ts: the account, then every live session for its next
 * refresh), and answers the account as it now stands. 400 for a bad list, 404 for an unknown id,
 * 409 for an admin taking `admin` from themselves.
 */
export async function setUserRoles(deps: RoleChangeDeps, caller: AdminCaller, userId: string, roles: unknown, options: { deadline?: number | undefined } = {}): Promise<AdminUserView> {
  let next: string[];
  try {
    next = normalizeRoles(roles);
  } catch (error) {
    if (error instanceof InvalidRolesError) throw new InvalidRequestError(`Invalid request: ${ROLES_PROBLEM[error.code]}.`);
    throw error;
  }
  const current = await accountOf(deps.users, userId);
  refuseSelfDemotion(caller, userId, rolesOf(current), next);
  const change = await changeRoles(deps, userId, next, { deadline: options.deadline, actorId: caller.userId });
  return toAdminView(change.account);
}
