import { bearer, call, sleep } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

// The seed's flow over real HTTP through serverless-offline, API Gateway authorizer included.
describe('token flow over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '2', CLOCK_SKEW_SECONDS: '0' });
  });
  afterAll(() => server?.stop());

  it('register, login, me, expiry, refresh, me, logout, refresh refused', async () => {
    const base = server.baseUrl;
    const email = uniqueEmail('flow');

    const registered = await call(base, 'POST', '/auth/register', { json: { email: `  ${email.toUpperCase()} `, password: PASSWORD } });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({ id: expect.any(String), email, created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 2,
      refresh_token: expect.any(String),
      refresh_token_expires_in: 1209600,
    });

    const me = await call(base, 'GET', '/me', { headers: bearer(login.body.access_token) });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: registered.body.id, email, email_verified: false, mfa_enabled: false, session_id: expect.any(String) });

    await sleep(3100);
    expect((await call(base, 'GET', '/me', { headers: bearer(login.body.access_token) })).status).toBe(401);

    const refreshed = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);

    const meAgain = await call(base, 'GET', '/me', { headers: bearer(refreshed.body.access_token) });
    expect(meAgain.status).toBe(200);
    expect(meAgain.body.session_id).toBe(me.body.session_id);

    expect((await call(base, 'POST', '/auth/logout', { json: { refresh_token: refreshed.body.refresh_token } })).status).toBe(204);
    const refused = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: refreshed.body.refresh_token } });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'invalid_refresh_token', message: expect.any(String) });
  });

  it('serves the JWKS with public keys only and a public cache header', async () => {
    const jwks = await call(server.baseUrl, 'GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toEqual(expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) }));
    expect(jwks.body.keys[0]).not.toHaveProperty('d');
  });
});
