import { randomUUID } from 'node:crypto';
import { PASSWORD } from '../support/fixtures';
import { bearer, call } from '../support/http';
import { readInbox } from '../support/inbox';
import { conformingCaller, loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';
import { claimsOf, resignedAccessToken, sesEndpoint } from '../support/e2e-accounts';


const ADMIN_SCOPE = 'users:read users:write clients:read clients:write audit:read';
const WITH_MFA = ['pwd', 'otp', 'mfa'];

// The admin API end to end (serverless-offline, DynamoDB Local): every response is also checked
// against docs/openapi.yaml. Admin tokens are the admin's own access tokens with `scope` and `amr`
// re-signed with the test key, as a login of an account with the `admin` role and TOTP gives them.
describe('admin API over HTTP (ADMIN_REQUIRE_MFA on, its default)', () => {
  const spec = loadOpenApi();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  let admin: { userId: string; token: string };
  const tag = randomUUID().slice(0, 8);

  const request = conformingCaller(spec, () => base);
  const login = (email: string) => call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
  const account = async (prefix: string) => {
    const email = `${prefix}-${tag}-${randomUUID().slice(0, 6)}@example.com`;
    expect((await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const tokens = (await login(email)).body;
    return { email, userId: claimsOf(tokens.access_token).sub as string, tokens };
  };
  const as = (token: string) => ({ headers: bearer(token) });

  beforeAll(async () => {
    server = await startTestServer();
    base = server.baseUrl;
    const { userId, tokens } = await account('admin');
    admin = { userId, token: await resignedAccessToken(tokens.access_token, { scope: ADMIN_SCOPE, amr: WITH_MFA }) };
  });
  afterAll(() => server?.stop());

  it('lists users by email prefix, page by page, and shows one with its sessions and passkeys counted', async () => {
    const listed = [await account('listed'), await account('listed')];
    const page = await request(200, 'GET', `/admin/users?email_prefix=${encodeURIComponent(`LISTED-${tag}`)}`, as(admin.token));
    // A DynamoDB page may be short while next_cursor says more may follow: follow it to the end.
    const users = [...page.body.users];
    for (let cursor = page.body.next_cursor; cursor; ) {
      const next = await request(200, 'GET', `/admin/users?email_prefix=listed-${tag}&cursor=${encodeURIComponent(cursor)}`, as(admin.token));
      users.push(...next.body.users);
      cursor = next.body.next_cursor;
    }
    expect(users.map((user: { email: string }) => user.email).sort()).toEqual(listed.map(({ email }) => email).sort());
    expect(users[0]).toEqual({ id: expect.any(String), email: expect.any(String), email_verified: false, roles: [], disabled: false, mfa_enabled: false, created_at: expect.any(String) });
    expect(page.text).not.toMatch(/argon2/);

    const shown = await request(200, 'GET', `/admin/users/${listed[0]!.userId}`, as(admin.token));
    expect(shown.body).toMatchObject({ id: listed[0]!.userId, email: listed[0]!.email, disabled: false, passkey_count: 0, live_session_count: 1 });

    const wrongPrefix = await request(400, 'GET', `/admin/users?email_prefix=other&cursor=${encodeURIComponent(Buffer.from(JSON.stringify([`listed-${tag}`, 'EMAIL#x'])).toString('base64url'))}`, as(admin.token));
    expect(wrongPrefix.body.error).toBe('invalid_request');
  });

  it('disables an account: its login is 403 account_disabled (a wrong password stays 401), refresh 401, /me 403, no reset email; enabled, it logs in again', async () => {
    const target = await account('disabled');
    await request(204, 'POST', `/admin/users/${target.userId}/disable`, as(admin.token));

    expect((await request(403, 'POST', '/auth/login', { json: { email: target.email, password: PASSWORD } })).body.error).toBe('account_disabled');
    expect((await request(401, 'POST', '/auth/login', { json: { email: target.email, password: 'not the password' } })).body.error).toBe('invalid_credentials');
    expect((await request(401, 'POST', '/auth/refresh', { json: { refresh_token: target.tokens.refresh_token } })).body.error).toBe('invalid_refresh_token');
    expect((await request(403, 'GET', '/me', as(target.tokens.access_token))).body.error).toBe('account_disabled');
    expect((await request(200, 'GET', `/admin/users/${target.userId}`, as(admin.token))).body).toMatchObject({ disabled: true, live_session_count: 0 });

    expect((await call(base, 'POST', '/auth/password/forgot', { json: { email: target.email } })).status).toBe(202);
    // The 202 comes after the send (the response floor covers it): a reset email would be there by now.
    const sent = (await readInbox(sesEndpoint())).filter((email) => email.destination.to.includes(target.email) && email.subject.includes('Reset'));
    expect(sent).toEqual([]);

    await request(204, 'POST', `/admin/users/${target.userId}/enable`, as(admin.token));
    expect((await login(target.email)).status).toBe(200);
  });

  it('signs a user out everywhere: every refresh token stops', async () => {
    const target = await account('signout');
    const second = (await login(target.email)).body;
    await request(204, 'POST', `/admin/users/${target.userId}/sign-out`, as(admin.token));
    for (const tokens of [target.tokens, second]) expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: tokens.refresh_token } })).status).toBe(401);
    expect((await login(target.email)).status).toBe(200);
  });

  it('deletes a user without their password: gone from the listing, 404 afterwards, the email registers again', async () => {
    const target = await account('deleted');
    await request(204, 'DELETE', `/admin/users/${target.userId}`, as(admin.token));
    expect((await request(404, 'GET', `/admin/users/${target.userId}`, as(admin.token))).body.error).toBe('not_found');
    expect((await request(200, 'GET', `/admin/users?email_prefix=${encodeURIComponent(target.email)}`, as(admin.token))).body.users).toEqual([]);
    expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: target.tokens.refresh_token } })).status).toBe(401);
    expect((await call(base, 'POST', '/auth/register', { json: { email: target.email, password: PASSWORD } })).status).toBe(201);
  });

  it('sets a user\'s roles: the answer and the listing show them, and the next refresh of a live session carries them and their scope', async () => {
    const target = await account('roles');
    const set = await request(200, 'PUT', `/admin/users/${target.userId}/roles`, { ...as(admin.token), json: { roles: ['admin', 'admin'] } });
    expect(set.body).toMatchObject({ id: target.userId, roles: ['admin'] });
    expect((await request(200, 'GET', `/admin/users/${target.userId}`, as(admin.token))).body.roles).toEqual(['admin']);
    const refreshed = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: target.tokens.refresh_token } });
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ roles: ['admin'], scope: expect.stringContaining('users:write') });
    expect((await request(400, 'PUT', `/admin/users/${target.userId}/roles`, { ...as(admin.token), json: { roles: ['Not A Role'] } })).body.error).toBe('invalid_request');
    expect((await request(400, 'PUT', `/admin/users/${target.userId}/roles`, { ...as(admin.token), json: { roles: 'admin' } })).body.error).toBe('invalid_request');
    expect((await request(404, 'PUT', `/admin/users/${randomUUID()}/roles`, { ...as(admin.token), json: { roles: [] } })).body.error).toBe('not_found');
  });

  it('reads the audit trail: a user\'s admin actions name the acting admin; filters by type; a cursor is bound to its filters', async () => {
    const target = await account('audited');
    await request(204, 'POST', `/admin/users/${target.userId}/disable`, as(admin.token));
    await request(204, 'POST', `/admin/users/${target.userId}/enable`, as(admin.token));
    // The disable ended the first session; this one is the sign-out's.
    expect((await login(target.email)).status).toBe(200);
    await request(204, 'POST', `/admin/users/${target.userId}/sign-out`, as(admin.token));
    const trail = await request(200, 'GET', `/admin/audit?user_id=${target.userId}`, as(admin.token));
    const types = trail.body.events.map((event: { type: string }) => event.type);
    expect(types.slice(0, 4)).toEqual(['sessions_ended_by_admin', 'login_succeeded', 'account_enabled', 'account_disabled']);
    expect(types).toContain('login_succeeded');
    expect(trail.body.events[0]).toMatchObject({ user_id: target.userId, actor_id: admin.userId, details: { sessions_ended: 1 } });

    const disables = await request(200, 'GET', `/admin/audit?type=account_disabled&user_id=${target.userId}`, as(admin.token));
    expect(disables.body.events).toEqual([expect.objectContaining({ type: 'account_disabled', actor_id: admin.userId })]);
    const everything = await request(200, 'GET', '/admin/audit', as(admin.token));
    expect(everything.body.events.length).toBeGreaterThan(0);
    expect((await request(400, 'GET', '/admin/audit?type=not_an_event', as(admin.token))).body.error).toBe('invalid_request');
    expect((await request(400, 'GET', '/admin/audit?cursor=not-a-cursor', as(admin.token))).body.error).toBe('invalid_request');
    const noAudit = await resignedAccessToken(admin.token, { scope: 'users:read users:write' });
    expect((await request(403, 'GET', '/admin/audit', as(noAudit))).body.error).toBe('access_denied');
  });

  it('an admin cannot disable, delete or take admin from their own account (409 cannot_modify_self), and stays able to log in', async () => {
    await request(200, 'PUT', `/admin/users/${admin.userId}/roles`, { ...as(admin.token), json: { roles: ['admin'] } });
    expect((await request(409, 'PUT', `/admin/users/${admin.userId}/roles`, { ...as(admin.token), json: { roles: [] } })).body.error).toBe('cannot_modify_self');
    expect((await request(200, 'GET', `/admin/users/${admin.userId}`, as(admin.token))).body.roles).toEqual(['admin']);
    expect((await request(409, 'POST', `/admin/users/${admin.userId}/disable`, as(admin.token))).body.error).toBe('cannot_modify_self');
    expect((await request(409, 'DELETE', `/admin/users/${admin.userId}`, as(admin.token))).body.error).toBe('cannot_modify_self');
    expect((await request(200, 'GET', `/admin/users/${admin.userId}`, as(admin.token))).body.disabled).toBe(false);
  });

  it('an unknown or malformed id is 404 not_found', async () => {
    for (const [method, path] of [['GET', ''], ['POST', '/disable'], ['POST', '/enable'], ['POST', '/sign-out'], ['DELETE', '']] as const) {
      expect((await request(404, method, `/admin/users/${randomUUID()}${path}`, as(admin.token))).body.error).toBe('not_found');
    }
    expect((await request(404, 'GET', `/admin/users/${'x'.repeat(65)}`, as(admin.token))).body.error).toBe('not_found');
  });

  it('refuses a token without the permission (403 access_denied, insufficient_scope) and one without mfa (403 mfa_required_for_admin)', async () => {
    const target = await account('refused');
    const plain = target.tokens.access_token;
    const readOnly = await resignedAccessToken(admin.token, { scope: 'users:read audit:read' });
    const noMfa = await resignedAccessToken(admin.token, { amr: ['pwd'] });

    const denied = await request(403, 'GET', '/admin/users', as(plain));
    expect(denied.body.error).toBe('access_denied');
    const write = await request(403, 'POST', `/admin/users/${target.userId}/disable`, as(readOnly));
    expect(write.body.error).toBe('access_denied');
    expect(write.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="users:write"');
    expect((await request(403, 'DELETE', `/admin/users/${target.userId}`, as(readOnly))).body.error).toBe('access_denied');
    expect((await request(403, 'GET', `/admin/users/${target.userId}`, as(noMfa))).body.error).toBe('mfa_required_for_admin');
    expect((await request(403, 'POST', `/admin/users/${target.userId}/sign-out`, as(noMfa))).body.error).toBe('mfa_required_for_admin');
    // Nothing was done.
    expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: target.tokens.refresh_token } })).status).toBe(200);
  });
});
