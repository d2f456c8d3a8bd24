import { claimsOf } from '../support/e2e-accounts';
import { runAdminCli } from '../support/admin-cli';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { bearer, call } from '../support/http';
import { conformingCaller, loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';

const ADMIN_SCOPE = 'audit:read clients:read clients:write users:read users:write';

/**
 * Roles over HTTP (serverless-offline, DynamoDB Local): the first admin is made with the
 * operator's CLI, the access token of a login carries roles and scope, and a role change reaches
 * the next refresh of a live session without a login. GET /me is mapped to `users:read` here
 * (AUTHORIZER_ROUTE_PERMISSIONS), so the authorizer's answer shows the scope arriving there too.
 */
describe('roles and permissions over HTTP', () => {
  const spec = loadOpenApi();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ AUTHORIZER_ROUTE_PERMISSIONS: JSON.stringify({ 'GET /me': 'users:read' }) });
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const expectResponse = conformingCaller(spec, () => base);
  const registered = async () => {
    const email = uniqueEmail('roles');
    await expectResponse(201, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    return email;
  };
  const login = async (email: string) => (await expectResponse(200, 'POST', '/auth/login', { json: { email, password: PASSWORD } })).body as { access_token: string; refresh_token: string };
  const refresh = async (refreshToken: string) => (await expectResponse(200, 'POST', '/auth/refresh', { json: { refresh_token: refreshToken } })).body as { access_token: string; refresh_token: string };
  const meStatus = async (accessToken: string) => (await call(base, 'GET', '/me', { headers: bearer(accessToken) })).status;

  it('a login of an account the CLI made admin carries roles ["admin"] and every admin permission as scope', async () => {
    // Arrange
    const email = await registered();
    const granted = await runAdminCli('grant-role', email, 'admin');
    expect(granted).toMatchObject({ code: 0, stdout: expect.stringContaining(`granted admin to ${email}`) });
    // Act
    const tokens = await login(email);
    // Assert
    expect(claimsOf(tokens.access_token)).toMatchObject({ roles: ['admin'], scope: ADMIN_SCOPE, amr: ['pwd'] });
    expect(await meStatus(tokens.access_token)).toBe(200);
  }, 120_000);

  it('after a grant, the next refresh of a live session carries the new roles and scope (no login); after a revocation, it carries none', async () => {
    // Arrange: a session opened before any role.
    const email = await registered();
    const before = await login(email);
    expect(claimsOf(before.access_token)).toMatchObject({ roles: [] });
    expect(claimsOf(before.access_token)).not.toHaveProperty('scope');
    expect(await meStatus(before.access_token)).toBe(403);
    // Act: the grant, then a refresh of that session.
    expect((await runAdminCli('grant-role', email, 'admin')).stdout).toContain('1 live session updated');
    const afterGrant = await refresh(before.refresh_token);
    // Assert: the access token issued before the grant keeps its claims until exp; the refreshed one has the new ones.
    expect(await meStatus(before.access_token)).toBe(403);
    expect(claimsOf(afterGrant.access_token)).toMatchObject({ sid: claimsOf(before.access_token).sid, roles: ['admin'], scope: ADMIN_SCOPE });
    expect(await meStatus(afterGrant.access_token)).toBe(200);
    // Act / Assert: the revocation reaches the next refresh the same way.
    expect((await runAdminCli('revoke-role', email, 'admin')).code).toBe(0);
    const afterRevoke = await refresh(afterGrant.refresh_token);
    expect(claimsOf(afterRevoke.access_token).roles).toEqual([]);
    expect(claimsOf(afterRevoke.access_token)).not.toHaveProperty('scope');
    expect(await meStatus(afterRevoke.access_token)).toBe(403);
  }, 180_000);
});
