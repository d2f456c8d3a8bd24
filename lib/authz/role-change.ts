/**
 * A change of an account's roles, and its way to every live session.
 *
 * The account item gets the new roles and a new roles version in one write. Then each live
 * session of the account (the by-user index) gets the new `roles` and `scope` written onto its
 * stored claims, one conditional write per session, so the NEXT REFRESH of any of them signs the
 * new claims while a refresh stays one write (it never reads the account). Access tokens already
 * issued keep their claims until `exp`.
 *
 * A login racing the change: a login that read the account before the change and writes its
 * session after the sweep would keep the old roles. The session issuer closes that gap for an
 * account that holds roles: such a session is stored only while the account is still at the roles
 * version the login read (lib/sessions/session-service.ts), and the login decides again otherwise.
 * A login that read no roles and races a grant opens a session without the new role (the safe
 * side); it gets it at the next change or login. The by-user index is eventually consistent: a
 * session created within its lag (typically well under a second) before the sweep can be missed;
 * running the same change again (it is idempotent, and always sweeps) writes it.
 */
import type { Clock } from '../core/clock';
import { NotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import { rolesOf, type AccountCredentials, type UserStore } from '../accounts/user-store';
import { forEachSessionOf } from '../sessions/session-service';
import type { SessionStore } from '../sessions/session-store';
import { normalizeRoles, scopeOf, type RoleMap } from './roles';

export interface RoleChangeDeps {
  readonly users: Pick<UserStore, 'findById' | 'setRoles'>;
  readonly sessions: Pick<SessionStore, 'listIndexed' | 'setAccountClaims'>;
  readonly roles: RoleMap;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RoleChangeOptions {
  /** Epoch ms by which the sweep must stop (the Lambda's deadline less a margin). */
  readonly deadline?: number | undefined;
  /** Who made the change (an admin's user id; absent for the operator's CLI). */
  readonly actorId?: string | undefined;
}

export interface RoleChange {
  /** The account as it now stands. */
  readonly account: AccountCredentials;
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** False when the account already held exactly these roles (nothing was written on it). */
  readonly changed: boolean;
  /** Live sessions that now carry the roles. */
  readonly sessionsUpdated: number;
}


/**
 * Replaces the roles of an account and writes them onto each of its live sessions. Throws
 * InvalidRolesError for a bad list, NotFoundError for an unknown account, ServiceUnavailableError
 * when the sweep could not finish (the roles are set; a retry finishes the sweep).
 */
export async function changeRoles(deps: RoleChangeDeps, userId: string, roles: unknown, options: RoleChangeOptions = {}): Promise<RoleChange> {
  const next = normalizeRoles(roles);
  return applyRoles(deps, await accountOf(deps, userId), () => next, options);
}

/** Adds one role to the account's (see changeRoles). */
export async function grantRole(deps: RoleChangeDeps, userId: string, role: string, options?: RoleChangeOptions): Promise<RoleChange> {
  return applyRoles(deps, await accountOf(deps, userId), (held) => normalizeRoles([...held, role]), options);
}

/** Takes one role from the account's (see changeRoles). */
export async function revokeRole(deps: RoleChangeDeps, userId: string, role: string, options?: RoleChangeOptions): Promise<RoleChange> {
  return applyRoles(deps, await accountOf(deps, userId), (held) => normalizeRoles(held.filter((name) => name !== role)), options);
}

async function accountOf(deps: Pick<RoleChangeDeps, 'users'>, userId: string): Promise<AccountCredentials> {
  const account = await deps.users.findById(userId);
  if (!account) throw new NotFoundError('The account');
  return account;
}

/** Writes the roles `decide` makes of the account's current ones (only when they differ), then sweeps the sessions. */
async function applyRoles(deps: RoleChangeDeps, current: AccountCredentials, decide: (held: readonly string[]) => string[], options: RoleChangeOptions = {}): Promise<RoleChange> {
  const userId = current.id;
  const before = [...rolesOf(current)].sort();
  const next = decide(before);
  const changed = before.join(' ') !== next.join(' ');
  const account = changed ? await deps.users.setRoles(userId, next) : current;
  if (!account) throw new NotFoundError('The account');
  if (changed) deps.logger.security('roles_changed', { userId, actorId: options.actorId, before: before.join(' '), after: next.join(' ') });
  const sessionsUpdated = await propagateRoles(deps, userId, next, options);
  return { account, before, after: next, changed, sessionsUpdated };
}

/**
 * Writes `roles` and their scope onto every live session of the account: pages through the
 * by-user index (revoked sessions have left it; expired ones fail the write's liveness condition).
 * The number of sessions written.
 */
export async function propagateRoles(deps: Pick<RoleChangeDeps, 'sessions' | 'roles' | 'clock'>, userId: string, roles: readonly string[], options: Pick<RoleChangeOptions, 'deadline'> = {}): Promise<number> {
  const { sessions, clock } = deps;
  const claims = { roles: [...roles], scope: scopeOf(deps.roles, roles) };
  return forEachSessionOf(
    deps,
    userId,
    { deadline: options.deadline, doing: 'updating' },
    (session, now) => now < session.absoluteExpiresAt,
    (session) => sessions.setAccountClaims({ sessionId: session.id, userId, now: clock.now(), claims }),
  );
}
