import { bearer, call } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

const APP_ORIGIN = 'https://app.example.com';

// Status codes, error codes and headers of the contract, black-box over HTTP.
describe('HTTP contract', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ALLOWED_ORIGINS: APP_ORIGIN, LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '60' });
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const registered = async () => {
    const email = uniqueEmail();
    expect((await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    return email;
  };
  const loggedIn = async (email?: string, extra: Record<string, unknown> = {}) => {
    const account = email ?? (await registered());
    const login = await call(base, 'POST', '/auth/login', { json: { email: account, password: PASSWORD, ...extra } });
    expect(login.status).toBe(200);
    return { email: account, ...login };
  };
  const expectError = (result: { status: number; body: unknown }, status: number, code: string) => {
    expect(result.status).toBe(status);
    expect(result.body).toEqual({ error: code, message: expect.any(String) });
  };

  describe('register', () => {
    it('409 email_taken for an email that has an account, whatever its case or spacing', async () => {
      const email = await registered();
      expectError(await call(base, 'POST', '/auth/register', { json: { email: ` ${email.toUpperCase()}`, password: PASSWORD } }), 409, 'email_taken');
    });
    it('400, 413 and 415 for bad bodies', async () => {
      expectError(await call(base, 'POST', '/auth/register', { body: '{not json', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_request');
      expectError(await call(base, 'POST', '/auth/register', { json: { email: 'x@example.com', password: 'short' } }), 400, 'invalid_request');
      expectError(await call(base, 'POST', '/auth/register', { body: 'email=x', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type');
      expectError(await call(base, 'POST', '/auth/register', { json: { email: 'x@example.com', password: PASSWORD, pad: 'p'.repeat(20_000) } }), 413, 'payload_too_large');
    });
  });

  describe('login', () => {
    it('401 invalid_credentials with the same body for a wrong password and an unknown email', async () => {
      const email = await registered();
      const wrong = await call(base, 'POST', '/auth/login', { json: { email, password: 'not the password' } });
      const unknown = await call(base, 'POST', '/auth/login', { json: { email: uniqueEmail('ghost'), password: PASSWORD } });
      expectError(wrong, 401, 'invalid_credentials');
      expect(unknown.text).toBe(wrong.text);
    });
    it('429 too_many_attempts with Retry-After after LOGIN_MAX_FAILURES failures, even with the right password', async () => {
      const email = await registered();
      for (let attempt = 0; attempt < 3; attempt++) {
        expectError(await call(base, 'POST', '/auth/login', { json: { email, password: 'not the password' } }), 401, 'invalid_credentials');
      }
      const throttled = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
      expectError(throttled, 429, 'too_many_attempts');
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    });
    it('400 for an unknown refresh_token_delivery', async () => {
      const email = await registered();
      expectError(await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD, refresh_token_delivery: 'url' } }), 400, 'invalid_request');
    });
  });

  describe('refresh and logout', () => {
    it('401 invalid_refresh_token for a malformed, unknown or missing token ("no session"), 400 only for a non-string', async () => {
      expectError(await call(base, 'POST', '/auth/refresh', { json: { refresh_token: 'garbage' } }), 401, 'invalid_refresh_token');
      expectError(await call(base, 'POST', '/auth/refresh', { json: { refresh_token: 'x'.repeat(4000) } }), 401, 'invalid_refresh_token');
      expectError(await call(base, 'POST', '/auth/refresh', { json: {} }), 401, 'invalid_refresh_token');
      expectError(await call(base, 'POST', '/auth/refresh', {}), 401, 'invalid_refresh_token');
      expectError(await call(base, 'POST', '/auth/refresh', { json: { refresh_token: 7 } }), 400, 'invalid_request');
      expectError(await call(base, 'POST', '/auth/refresh', { json: 0 }), 400, 'invalid_request');
      expectError(await call(base, 'POST', '/auth/refresh', { json: false }), 400, 'invalid_request');
      expectError(await call(base, 'POST', '/auth/logout', { json: { refresh_token: 'garbage' } }), 401, 'invalid_refresh_token');
    });
    it('a rotated-away token presented after the grace window ends the whole session', async () => {
      // The grace window is 10 s by default; a token two rotations back is outside it by definition.
      const login = await loggedIn();
      const second = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
      const third = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: second.body.refresh_token } });
      expectError(await call(base, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } }), 401, 'invalid_refresh_token');
      expectError(await call(base, 'POST', '/auth/refresh', { json: { refresh_token: third.body.refresh_token } }), 401, 'invalid_refresh_token');
    });
  });

  describe('protected endpoints', () => {
    it.each([
      ['GET', '/me'],
      ['GET', '/auth/sessions'],
      ['POST', '/auth/logout-all'],
      ['DELETE', '/auth/sessions/AAAAAAAAAAAAAAAAAAAAAA'],
    ])('%s %s answers 401 without a token, with a malformed one and with a query-string token', async (method, path) => {
      const { body } = await loggedIn();
      expect((await call(base, method, path)).status).toBe(401);
      expect((await call(base, method, path, { headers: bearer(`${body.access_token}x`) })).status).toBe(401);
      expect((await call(base, method, path, { headers: { Authorization: `Basic ${body.access_token}` } })).status).toBe(401);
      expect((await call(base, method, `${path}?access_token=${body.access_token}`)).status).toBe(401);
    });

    it('accepts the bearer scheme in any case', async () => {
      const { body } = await loggedIn();
      expect((await call(base, 'GET', '/me', { headers: { Authorization: `bEaReR ${body.access_token}` } })).status).toBe(200);
    });

    it('lists sessions, ends one, refuses someone else\'s with 404, and logs out everywhere', async () => {
      const email = await registered();
      const first = await loggedIn(email);
      const second = await loggedIn(email);
      const list = await call(base, 'GET', '/auth/sessions', { headers: bearer(second.body.access_token) });
      expect(list.status).toBe(200);
      expect(list.body.sessions).toHaveLength(2);
      expect(list.body.sessions[0]).toEqual({
        id: expect.any(String),
        created_at: expect.any(String),
        last_used_at: expect.any(String),
        expires_at: expect.any(String),
        user_agent: expect.any(String),
        ip: expect.any(String),
        current: true,
      });
      const [current, older] = list.body.sessions;
      const stranger = await loggedIn();
      expectError(await call(base, 'DELETE', `/auth/sessions/${older.id}`, { headers: bearer(stranger.body.access_token) }), 404, 'not_found');
      expectError(await call(base, 'DELETE', '/auth/sessions/AAAAAAAAAAAAAAAAAAAAAA', { headers: bearer(second.body.access_token) }), 404, 'not_found');
      expect((await call(base, 'DELETE', `/auth/sessions/${older.id}`, { headers: bearer(second.body.access_token) })).status).toBe(204);
      expectError(await call(base, 'POST', '/auth/refresh', { json: { refresh_token: first.body.refresh_token } }), 401, 'invalid_refresh_token');
      const after = await call(base, 'GET', '/auth/sessions', { headers: bearer(second.body.access_token) });
      expect(after.body.sessions.map((session: { id: string }) => session.id)).toEqual([current.id]);

      expect((await call(base, 'POST', '/auth/logout-all', { headers: bearer(second.body.access_token) })).status).toBe(204);
      expectError(await call(base, 'POST', '/auth/refresh', { json: { refresh_token: second.body.refresh_token } }), 401, 'invalid_refresh_token');
      expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: stranger.body.refresh_token } })).status).toBe(200);
    });
  });

  describe('cookie delivery', () => {
    const cookieOf = (setCookie: string | null) => /refresh_token=([^;]*)/.exec(setCookie ?? '')?.[1];
    // serverless-offline re-serialises Set-Cookie (adds Expires, reorders); API Gateway passes ours through.
    const attributesOf = (setCookie: string | null) =>
      new Set((setCookie ?? '').split(';').slice(1).map((part) => part.trim()).filter((part) => !part.startsWith('Expires=')));

    it('sets a hardened cookie and keeps the refresh token out of the body', async () => {
      const login = await loggedIn(undefined, { refresh_token_delivery: 'cookie' });
      expect(login.body).not.toHaveProperty('refresh_token');
      expect(login.body).toMatchObject({ token_type: 'Bearer', refresh_token_expires_in: 1209600 });
      expect(cookieOf(login.headers.get('set-cookie'))).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{75}$/);
      expect(attributesOf(login.headers.get('set-cookie'))).toEqual(new Set(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/dev/auth', 'Max-Age=1209600']));
    });

    it('refreshes from the cookie only with an allowed Origin; a refused attempt does not spend the token', async () => {
      const login = await loggedIn(undefined, { refresh_token_delivery: 'cookie' });
      const cookie = `refresh_token=${cookieOf(login.headers.get('set-cookie'))}`;
      expectError(await call(base, 'POST', '/auth/refresh', { headers: { Cookie: cookie } }), 403, 'csrf_rejected');
      expectError(await call(base, 'POST', '/auth/refresh', { headers: { Cookie: cookie, Origin: 'https://evil.example' } }), 403, 'csrf_rejected');
      const refreshed = await call(base, 'POST', '/auth/refresh', { headers: { Cookie: cookie, Origin: APP_ORIGIN } });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).not.toHaveProperty('refresh_token');
      expect(refreshed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(refreshed.headers.get('access-control-allow-credentials')).toBe('true');
      const next = cookieOf(refreshed.headers.get('set-cookie'));
      expect(next).toBeTruthy();
      expect(`refresh_token=${next}`).not.toBe(cookie);

      const logout = await call(base, 'POST', '/auth/logout', { headers: { Cookie: `refresh_token=${next}`, Origin: APP_ORIGIN } });
      expect(logout.status).toBe(204);
      expect(cookieOf(logout.headers.get('set-cookie'))).toBe('');
      expect(attributesOf(logout.headers.get('set-cookie'))).toEqual(new Set(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/dev/auth', 'Max-Age=0']));
      expectError(await call(base, 'POST', '/auth/refresh', { headers: { Cookie: `refresh_token=${next}`, Origin: APP_ORIGIN } }), 401, 'invalid_refresh_token');
    });

    it('a token sent in the body is answered in the body even after a cookie login', async () => {
      const login = await loggedIn(undefined, { refresh_token_delivery: 'cookie' });
      const token = cookieOf(login.headers.get('set-cookie'));
      const refreshed = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: token } });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refresh_token).toEqual(expect.any(String));
      expect(refreshed.headers.get('set-cookie')).toBeNull();
    });

    it('never reflects a foreign origin in CORS headers', async () => {
      const jwks = await call(base, 'GET', '/.well-known/jwks.json', { headers: { Origin: 'https://evil.example' } });
      expect(jwks.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    });
  });
});
