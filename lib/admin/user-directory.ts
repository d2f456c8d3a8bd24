import { accountOf } from '../accounts/account-service';
import { rolesOf, type Account, type UserStore } from '../accounts/user-store';
import type { Clock } from '../core/clock';
import { canonicalEmailPrefix } from '../core/email-address';
import type { PasskeyStore } from '../passkeys/passkey-store';
import { isSessionLive } from '../sessions/session';
import type { SessionStore } from '../sessions/session-store';
import type { AccountDirectory } from './account-directory';
import { listingCursorOf, listingPositionIn } from './listing-cursor';

/** At most this many accounts a page of GET /admin/users (as many as a page of sessions). */
export const USERS_PAGE_SIZE = 100;
const SESSION_PAGE = 100;

/** An account as the admin API shows it. */
export interface AdminUserView {
  readonly id: string;
  readonly email: string;
  readonly email_verified: boolean;
  readonly roles: readonly string[];
  readonly disabled: boolean;
  readonly mfa_enabled: boolean;
  readonly created_at: string;
}

/** One account in detail: its passkeys and live sessions counted. */
export interface AdminUserDetail extends AdminUserView {
  readonly passkey_count: number;
  readonly live_session_count: number;
}

export function toAdminView(account: Account): AdminUserView {
  return {
    id: account.id,
    email: account.email,
    email_verified: account.emailVerified,
    roles: [...rolesOf(account)],
    disabled: account.disabled === true,
    mfa_enabled: account.mfaEnabled,
    created_at: new Date(account.createdAt).toISOString(),
  };
}

/** One page of accounts whose email starts with `emailPrefix` (canonicalised like an email), with a cursor while more may follow. */
export async function listUsers(
  deps: { directory: AccountDirectory },
  query: { emailPrefix?: string | undefined; cursor?: string | undefined },
): Promise<{ users: AdminUserView[]; next_cursor?: string }> {
  const emailPrefix = canonicalEmailPrefix(query.emailPrefix ?? '');
  const after = query.cursor === undefined ? undefined : listingPositionIn(emailPrefix, query.cursor);
  const page = await deps.directory.list({ emailPrefix, after, limit: USERS_PAGE_SIZE });
  return {
    users: page.accounts.map(toAdminView),
    ...(page.next === undefined ? {} : { next_cursor: listingCursorOf(emailPrefix, page.next) }),
  };
}

/** One account, with its passkeys and live sessions counted; 404 not_found for an unknown id. */
export async function describeUser(
  deps: { users: Pick<UserStore, 'findById'>; passkeys: Pick<PasskeyStore, 'listByUser'>; sessions: Pick<SessionStore, 'listIndexed' | 'summaries'>; clock: Clock },
  userId: string,
): Promise<AdminUserDetail> {
  const account = await accountOf(deps.users, userId);
  const [passkeys, liveSessions] = await Promise.all([deps.passkeys.listByUser(userId), countLiveSessions(deps, userId)]);
  return { ...toAdminView(account), passkey_count: passkeys.length, live_session_count: liveSessions };
}

/** The live sessions of a user: the by-user index, paged, each page's sessions read in one batch (as the session list does). */
async function countLiveSessions(deps: { sessions: Pick<SessionStore, 'listIndexed' | 'summaries'>; clock: Clock }, userId: string): Promise<number> {
  const now = deps.clock.now();
  let live = 0;
  let after: { id: string; createdAt: number } | undefined;
  do {
    const page = await deps.sessions.listIndexed(userId, { limit: SESSION_PAGE, after, newestFirst: false });
    const candidates = page.sessions.filter((session) => now < session.absoluteExpiresAt);
    const summaries = candidates.length ? await deps.sessions.summaries(candidates.map((session) => session.id)) : [];
    live += summaries.filter((session) => session.userId === userId && isSessionLive(session, now)).length;
    after = page.next;
  } while (after);
  return live;
}
