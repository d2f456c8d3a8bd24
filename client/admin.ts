/**
 * The admin API (`/admin/*`) through an `AuthClient`'s session: `auth.admin.listUsers()`... Every
 * call needs the permission the service names for it in the token's `scope` (`users:read`,
 * `users:write`, `audit:read`) and, unless the service runs with `ADMIN_REQUIRE_MFA=false`, a
 * sign-in with a second factor: otherwise `access_denied` or `mfa_required_for_admin` (403).
 */
import { errorFromResponse } from './errors';
import { isObject, isString, readJson, securityEventPageOf, unexpected, type Json } from './responses';
import type { AdminUser, AdminUserDetail, AdminUserPage, SecurityEventPage, SecurityEventType } from './types';

/** What the admin API needs of the client: `AuthClient.fetch` (access token attached, refreshed when needed). */
export type AuthorizedFetch = (input: string, init?: RequestInit) => Promise<Response>;

export class AdminApi {
  constructor(private readonly fetch: AuthorizedFetch) {}

  /** `GET /admin/users?email_prefix=&cursor=`: one page of accounts; pass `nextCursor` back as `cursor` with the same `emailPrefix`. */
  async listUsers(options: { emailPrefix?: string; cursor?: string } = {}): Promise<AdminUserPage> {
    const body = await this.json('GET', `/admin/users${queryOf({ email_prefix: options.emailPrefix, cursor: options.cursor })}`, undefined, 200);
    if (!Array.isArray(body.users) || (body.next_cursor !== undefined && !isString(body.next_cursor))) throw unexpected('/admin/users');
    const users = body.users.map((entry: unknown) => adminUserOf(entry, '/admin/users'));
    return isString(body.next_cursor) ? { users, nextCursor: body.next_cursor } : { users };
  }

  /** `GET /admin/users/{id}`: the account with its passkeys and live sessions counted; an unknown id is `not_found`. */
  async getUser(id: string): Promise<AdminUserDetail> {
    const body = await this.json('GET', userPath(id), undefined, 200);
    const user = adminUserOf(body, '/admin/users/{id}');
    if (!isCount(body.passkey_count) || !isCount(body.live_session_count)) throw unexpected('/admin/users/{id}');
    return { ...user, passkeyCount: body.passkey_count, liveSessionCount: body.live_session_count };
  }

  /** `PUT /admin/users/{id}/roles`: replaces the roles; resolves to the account. Taking `admin` from oneself is `cannot_modify_self`. */
  async setUserRoles(id: string, roles: readonly string[]): Promise<AdminUser> {
    return adminUserOf(await this.json('PUT', `${userPath(id)}/roles`, { roles }, 200), '/admin/users/{id}/roles');
  }

  /** `POST /admin/users/{id}/disable`: ends every session and refuses its logins (`account_disabled`). Oneself: `cannot_modify_self`. */
  async disableUser(id: string): Promise<void> {
    await this.call('POST', `${userPath(id)}/disable`, undefined, 204);
  }

  /** `POST /admin/users/{id}/enable`; the sessions the disable ended stay ended. */
  async enableUser(id: string): Promise<void> {
    await this.call('POST', `${userPath(id)}/enable`, undefined, 204);
  }

  /** `POST /admin/users/{id}/sign-out`: ends every session of the account (access tokens already issued live until they expire). */
  async signOutUser(id: string): Promise<void> {
    await this.call('POST', `${userPath(id)}/sign-out`, undefined, 204);
  }

  /** `DELETE /admin/users/{id}`: deletes the account as `DELETE /me` does, without its password. Oneself: `cannot_modify_self`. */
  async deleteUser(id: string): Promise<void> {
    await this.call('DELETE', userPath(id), undefined, 204);
  }

  /** `GET /admin/audit?user_id=&type=&cursor=`: security events, newest first; pass `nextCursor` back with the same filters. */
  async listAudit(options: { userId?: string; type?: SecurityEventType; cursor?: string } = {}): Promise<SecurityEventPage> {
    const query = queryOf({ user_id: options.userId, type: options.type, cursor: options.cursor });
    return securityEventPageOf(await this.json('GET', `/admin/audit${query}`, undefined, 200), '/admin/audit');
  }

  private async call(method: string, path: string, json: unknown, expected: number): Promise<Response> {
    const init: RequestInit = json === undefined ? { method } : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(json) };
    const response = await this.fetch(path, init);
    if (response.status !== expected) throw await errorFromResponse(response);
    if (expected === 204) void response.body?.cancel().catch(() => undefined);
    return response;
  }

  private async json(method: string, path: string, json: unknown, expected: number): Promise<Json> {
    return readJson(await this.call(method, path, json, expected));
  }
}

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** `?a=1&b=2` of the parameters that are set, '' when none is. */
function queryOf(parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) query.set(name, value);
  const text = query.toString();
  return text ? `?${text}` : '';
}

function adminUserOf(entry: unknown, path: string): AdminUser {
  if (!isObject(entry)) throw unexpected(path);
  const { id, email, email_verified: emailVerified, roles, disabled, mfa_enabled: mfaEnabled, created_at: createdAt } = entry;
  const valid =
    isString(id) &&
    isString(email) &&
    typeof emailVerified === 'boolean' &&
    Array.isArray(roles) &&
    roles.every(isString) &&
    typeof disabled === 'boolean' &&
    typeof mfaEnabled === 'boolean' &&
    isString(createdAt);
  if (!valid) throw unexpected(path);
  return { id, email, emailVerified, roles, disabled, mfaEnabled, createdAt };
}
