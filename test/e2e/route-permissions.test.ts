import { bearer, call } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { resignedAccessToken } from '../support/e2e-accounts';

/**
 * Per-route permissions through serverless-offline, which evaluates the authorizer's policy
 * against the request's methodArn on every call (an explicit Deny wins, a route no Allow names is
 * refused). It does not cache the answer; the cache case is the policy's own unit test
 * (test/unit/authorizer/route-policy.test.ts), where one answer is checked against every route.
 */
describe('per-route permissions over HTTP (AUTHORIZER_ROUTE_PERMISSIONS)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let accessToken: string;
  beforeAll(async () => {
    server = await startTestServer({ AUTHORIZER_ROUTE_PERMISSIONS: JSON.stringify({ 'GET /me': 'profile:read', 'GET /orders/{id}': 'orders:read' }) });
    const email = uniqueEmail('perm');
    expect((await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const login = await call(server.baseUrl, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    accessToken = login.body.access_token;
  });
  afterAll(() => server?.stop());

  it('refuses GET /me with 403 access_denied to a token whose scope lacks profile:read', async () => {
    const refused = await call(server.baseUrl, 'GET', '/me', { headers: bearer(accessToken) });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'access_denied', message: expect.any(String) });
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="profile:read"');
  });

  it('allows it to the same session with the permission in its scope', async () => {
    const token = await resignedAccessToken(accessToken, { scope: 'orders:read profile:read' });
    const me = await call(server.baseUrl, 'GET', '/me', { headers: bearer(token) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: expect.stringMatching(/^perm-/) });
  });

  it('does not mistake a longer permission for it', async () => {
    const token = await resignedAccessToken(accessToken, { scope: 'profile:reader' });
    expect((await call(server.baseUrl, 'GET', '/me', { headers: bearer(token) })).status).toBe(403);
  });

  it('leaves the routes that need no permission open to any valid token', async () => {
    const sessions = await call(server.baseUrl, 'GET', '/auth/sessions', { headers: bearer(accessToken) });
    expect(sessions.status).toBe(200);
  });

  it('a missing or invalid token stays 401 invalid_token', async () => {
    const missing = await call(server.baseUrl, 'GET', '/me');
    expect(missing.status).toBe(401);
    const invalid = await call(server.baseUrl, 'GET', '/me', { headers: bearer(`${accessToken.slice(0, -4)}AAAA`) });
    expect(invalid.status).toBe(401);
    expect(invalid.body).toEqual({ error: 'invalid_token', message: expect.any(String) });
    expect(invalid.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});
