import { bearer, call, type HttpResult } from '../support/http';
import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { createSoftAuthenticator } from '../support/soft-authenticator';
import { emailedToken, registerVerified, signedInAgo } from '../support/e2e-accounts';

const APP_ORIGIN = 'https://app.example.com';
const UNKNOWN_SESSION_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

// docs/openapi.yaml against real responses of serverless-offline: every response below must be
// documented for its operation and status, with a matching body and the declared headers.
describe('OpenAPI document against real responses', () => {
  const spec = loadOpenApi();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ALLOWED_ORIGINS: APP_ORIGIN, LOGIN_MAX_FAILURES: '2' });
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  type Options = Parameters<typeof call>[3];

  /** Sends a request; expects the status and a response that conforms to the spec. */
  const expectResponse = async (status: number, method: string, path: string, options: Options = {}): Promise<HttpResult> => {
    const result = await call(base, method, path, options);
    const problems = spec.validateResponse(method, path, result.status, result.body, result.headers);
    expect({ status: result.status, problems }).toEqual({ status, problems: [] });
    return result;
  };
  const registered = async () => {
    const email = uniqueEmail('openapi');
    await expectResponse(201, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    return email;
  };
  const loggedIn = async (email?: string, extra: Record<string, unknown> = {}) => {
    const account = email ?? (await registered());
    const login = await expectResponse(200, 'POST', '/auth/login', { json: { email: account, password: PASSWORD, ...extra } });
    return { email: account, ...login };
  };
  /** A verified account (adding a factor needs one), signed in with its password. */
  const verifiedLoggedIn = async () => {
    const email = uniqueEmail('openapi');
    await registerVerified(base, email);
    return loggedIn(email);
  };
  const refreshCookieOf = (result: HttpResult) => /^refresh_token=([^;]*)/.exec(result.headers.getSetCookie()[0] ?? '')?.[1];
  const json = (text: string) => ({ body: text, headers: { 'Content-Type': 'application/json' } });

  describe('the document', () => {
    it('describes exactly the endpoints of the contract', () => {
      expect(spec.operations.map(({ method, path, successStatus }) => `${method} ${path} ${successStatus}`).sort()).toEqual(
        [
          'POST /auth/register 201',
          'POST /auth/login 200',
          'POST /auth/refresh 200',
          'POST /auth/logout 204',
          'POST /auth/logout-all 204',
          // accounts
          'POST /auth/email/verify 204',
          'POST /auth/email/verify-request 202',
          'POST /auth/password/forgot 202',
          'POST /auth/password/reset 204',
          'POST /auth/password/change 204',
          'DELETE /me 204',
          // end accounts
          'GET /auth/sessions 200',
          'DELETE /auth/sessions/{id} 204',
          'GET /me 200',
          'GET /me/security-events 200',
          'GET /.well-known/jwks.json 200',
          'POST /auth/passkeys/register/options 200',
          'POST /auth/passkeys/register/verify 201',
          'GET /auth/passkeys 200',
          'DELETE /auth/passkeys/{id} 204',
          'POST /auth/passkeys/login/options 200',
          'POST /auth/passkeys/login/verify 200',
          // mfa
          'POST /auth/mfa/totp/setup 200',
          'POST /auth/mfa/totp/confirm 200',
          'POST /auth/mfa/totp/disable 204',
          'POST /auth/mfa/recovery-codes 200',
          'POST /auth/mfa/verify 200',
          // end mfa
          'POST /auth/reauthenticate 200',
          'POST /auth/factors/report 204',
          // admin
          'GET /admin/users 200',
          'GET /admin/users/{id} 200',
          'DELETE /admin/users/{id} 204',
          'POST /admin/users/{id}/disable 204',
          'POST /admin/users/{id}/enable 204',
          'POST /admin/users/{id}/sign-out 204',
          'PUT /admin/users/{id}/roles 200',
          'GET /admin/audit 200',
          'GET /admin/clients 200',
          'POST /admin/clients 201',
          'GET /admin/clients/{id} 200',
          'DELETE /admin/clients/{id} 204',
          'POST /admin/clients/{id}/secret 200',
          // end admin
        ].sort(),
      );
      expect(spec.document.servers.map((server: { url: string }) => server.url)).toEqual([
        'http://localhost:3000/dev',
        'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
      ]);
    });

    it('asks for an access token exactly on the protected endpoints, and for the cookie on refresh and logout', () => {
      const schemesOf = (method: string, path: string) =>
        (spec.document.paths[path][method.toLowerCase()].security ?? spec.document.security ?? []).flatMap((requirement: object) => Object.keys(requirement));
      const withBearer = spec.operations.filter(({ method, path }) => schemesOf(method, path).includes('bearerAuth'));
      expect(withBearer.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
        [
          'POST /auth/logout-all',
          // accounts
          'POST /auth/email/verify-request',
          'POST /auth/password/change',
          'DELETE /me',
          // end accounts
          'GET /auth/sessions',
          'DELETE /auth/sessions/{id}',
          'GET /me',
          'GET /me/security-events',
          // mfa
          'POST /auth/mfa/totp/setup',
          'POST /auth/mfa/totp/confirm',
          'POST /auth/mfa/totp/disable',
          'POST /auth/mfa/recovery-codes',
          // end mfa
          'POST /auth/passkeys/register/options', 'POST /auth/passkeys/register/verify', 'GET /auth/passkeys', 'DELETE /auth/passkeys/{id}',
          'POST /auth/reauthenticate',
          // admin
          'GET /admin/users', 'GET /admin/users/{id}', 'DELETE /admin/users/{id}',
          'POST /admin/users/{id}/disable', 'POST /admin/users/{id}/enable', 'POST /admin/users/{id}/sign-out', 'PUT /admin/users/{id}/roles', 'GET /admin/audit',
          'GET /admin/clients', 'POST /admin/clients', 'GET /admin/clients/{id}', 'DELETE /admin/clients/{id}', 'POST /admin/clients/{id}/secret',
          // end admin
        ].sort(),
      );
      expect(schemesOf('POST', '/auth/refresh')).toEqual(['refreshTokenCookie']);
      expect(schemesOf('POST', '/auth/logout')).toEqual(['refreshTokenCookie']);
      // A protected endpoint's 401 is API Gateway's, or (a wrong code or password) the service's besides it.
      const GATEWAY_ERROR = { $ref: '#/components/schemas/GatewayError' };
      for (const { method, path } of withBearer) {
        const unauthorized = spec.document.paths[path][method.toLowerCase()].responses['401'];
        if (unauthorized.$ref) expect(['#/components/responses/GatewayUnauthorized', '#/components/responses/GatewayUnauthorizedOrInvalidCredentials']).toContain(unauthorized.$ref);
        else expect(unauthorized.content['application/json'].schema.anyOf).toContainEqual(GATEWAY_ERROR);
      }
    });
  });

  describe('the validator', () => {
    // A fresh instance, so that these deliberate mismatches do not count as exercised.
    const strict = loadOpenApi();

    it('rejects responses that drift from the document', async () => {
      const { body, headers } = await loggedIn();
      const problemsOf = (status: number, responseBody: unknown, responseHeaders: Record<string, string> = { 'Cache-Control': 'no-store' }) =>
        strict.validateResponse('POST', '/auth/login', status, responseBody, responseHeaders);

      expect(strict.validateResponse('POST', '/auth/login', 200, body, headers)).toEqual([]);
      expect(problemsOf(200, { ...body, extra: true }).join()).toMatch(/must NOT have additional properties.*extra/);
      expect(problemsOf(200, { ...body, access_token: undefined }).join()).toMatch(/must have required property 'access_token'/);
      expect(problemsOf(200, { ...body, expires_in: '900' }).join()).toMatch(/expires_in must be integer/);
      expect(problemsOf(200, body, {}).join()).toMatch(/required header Cache-Control is missing/);
      expect(problemsOf(404, { error: 'not_found', message: 'Not found.' }).join()).toMatch(/does not document status 404/);
      expect(problemsOf(401, { error: 'invalid_refresh_token', message: 'Wrong code.' }).join()).toMatch(/must be equal to constant/);
      expect(problemsOf(401, { error: 'invalid_credentials' }).join()).toMatch(/must have required property 'message'/);
      expect(problemsOf(429, { error: 'too_many_attempts', message: 'Later.' }).join()).toMatch(/required header Retry-After is missing/);
      expect(problemsOf(429, { error: 'too_many_attempts', message: 'Later.' }, { 'Retry-After': 'later' }).join()).toMatch(/Retry-After.*must be integer/);
      expect(strict.validateResponse('POST', '/auth/logout', 204, { ok: true }).join()).toMatch(/documents no body/);
      expect(strict.validateResponse('GET', '/me', 200, undefined).join()).toMatch(/body is documented, got none/);
      expect(strict.validateResponse('GET', '/auth/login', 200, body).join()).toMatch(/GET \/auth\/login is not in the spec/);
      expect(strict.validateResponse('GET', '/nowhere', 200, body).join()).toMatch(/no path of the spec matches/);
      expect(strict.exercised).toEqual(new Set(['POST /auth/login 200']));
    });
  });

  describe('POST /auth/register', () => {
    it('201 with the normalised email', async () => {
      const email = uniqueEmail('openapi');
      const result = await expectResponse(201, 'POST', '/auth/register', { json: { email: `  ${email.toUpperCase()} `, password: PASSWORD } });
      expect(result.body.email).toBe(email);
    });

    it('counts password length in code points, as JSON Schema does', async () => {
      await expectResponse(201, 'POST', '/auth/register', { json: { email: uniqueEmail('openapi'), password: '😀'.repeat(8) } });
      await expectResponse(400, 'POST', '/auth/register', { json: { email: uniqueEmail('openapi'), password: '😀'.repeat(7) } });
      await expectResponse(400, 'POST', '/auth/register', { json: { email: uniqueEmail('openapi'), password: '😀'.repeat(257) } });
    });

    it('accepts a charset parameter and a body of exactly 16 KiB; 413 one byte over', async () => {
      const bodyOfBytes = (bytes: number) => {
        const fields = { email: uniqueEmail('openapi'), password: PASSWORD, pad: '' };
        return JSON.stringify({ ...fields, pad: 'p'.repeat(bytes - JSON.stringify(fields).length) });
      };
      const charset = { 'Content-Type': 'application/json; charset=utf-8' };
      await expectResponse(201, 'POST', '/auth/register', { body: bodyOfBytes(16 * 1024), headers: charset });
      await expectResponse(413, 'POST', '/auth/register', { body: bodyOfBytes(16 * 1024 + 1), headers: charset });
    });

    it('400, 409, 413 and 415', async () => {
      const email = await registered();
      await expectResponse(400, 'POST', '/auth/register', json('{not json'));
      await expectResponse(400, 'POST', '/auth/register', { json: { email: 'no-at-sign', password: PASSWORD } });
      await expectResponse(400, 'POST', '/auth/register', { json: { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD } });
      await expectResponse(409, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
      await expectResponse(413, 'POST', '/auth/register', { json: { email, password: PASSWORD, pad: 'p'.repeat(16 * 1024) } });
      await expectResponse(415, 'POST', '/auth/register', { body: `email=${email}`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    });
  });

  describe('POST /auth/login', () => {
    it('200 with the refresh token in the body, never cached', async () => {
      const login = await loggedIn();
      expect(login.body.refresh_token).toEqual(expect.any(String));
      expect(login.headers.get('cache-control')).toBe('no-store');
      expect(login.headers.getSetCookie()).toEqual([]);
    });

    it('200 with the refresh token only in the cookie', async () => {
      const login = await loggedIn(undefined, { refresh_token_delivery: 'cookie' });
      expect(login.body).not.toHaveProperty('refresh_token');
      expect(refreshCookieOf(login)).toEqual(expect.any(String));
    });

    it('400, 401, 413, 415 and 429 with Retry-After', async () => {
      const email = await registered();
      await expectResponse(400, 'POST', '/auth/login', { json: { email, password: PASSWORD, refresh_token_delivery: 'url' } });
      await expectResponse(400, 'POST', '/auth/login', { json: { email } });
      await expectResponse(413, 'POST', '/auth/login', { json: { email, password: PASSWORD, pad: 'p'.repeat(16 * 1024) } });
      await expectResponse(415, 'POST', '/auth/login', { body: JSON.stringify({ email, password: PASSWORD }), headers: { 'Content-Type': 'text/plain' } });
      await expectResponse(401, 'POST', '/auth/login', { json: { email: uniqueEmail('ghost'), password: PASSWORD } });
      for (let failure = 0; failure < 2; failure++) {
        await expectResponse(401, 'POST', '/auth/login', { json: { email, password: 'not the password' } });
      }
      const throttled = await expectResponse(429, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('POST /auth/refresh', () => {
    it('200 in the body for a token from the body', async () => {
      const login = await loggedIn();
      const refreshed = await expectResponse(200, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
      expect(refreshed.body.refresh_token).toEqual(expect.any(String));
      expect(refreshed.headers.getSetCookie()).toEqual([]);
    });

    it('200 in the cookie for a token from the cookie with an allowed Origin; 403 without one', async () => {
      const login = await loggedIn(undefined, { refresh_token_delivery: 'cookie' });
      const cookie = `refresh_token=${refreshCookieOf(login)}`;
      await expectResponse(403, 'POST', '/auth/refresh', { headers: { Cookie: cookie } });
      await expectResponse(403, 'POST', '/auth/refresh', { headers: { Cookie: cookie, Origin: 'https://evil.example' } });
      const refreshed = await expectResponse(200, 'POST', '/auth/refresh', { headers: { Cookie: cookie, Origin: APP_ORIGIN } });
      expect(refreshed.body).not.toHaveProperty('refresh_token');
      expect(refreshCookieOf(refreshed)).toEqual(expect.any(String));
    });

    it('401 without a token or with a bad one, 400 for a non-string, 415 for a body that is not JSON', async () => {
      await expectResponse(401, 'POST', '/auth/refresh');
      await expectResponse(401, 'POST', '/auth/refresh', { json: {} });
      await expectResponse(400, 'POST', '/auth/refresh', { json: { refresh_token: 42 } });
      await expectResponse(401, 'POST', '/auth/refresh', { json: { refresh_token: 'garbage' } });
      await expectResponse(415, 'POST', '/auth/refresh', { body: 'refresh_token=x', headers: { 'Content-Type': 'text/plain' } });
    });
  });

  describe('POST /auth/logout', () => {
    it('204 for a token from the body, again for the same token (idempotent)', async () => {
      const login = await loggedIn();
      await expectResponse(204, 'POST', '/auth/logout', { json: { refresh_token: login.body.refresh_token } });
      const again = await expectResponse(204, 'POST', '/auth/logout', { json: { refresh_token: login.body.refresh_token } });
      expect(again.headers.getSetCookie()).toEqual([]);
    });

    it('204 clearing the cookie for a token from the cookie; 403 without an allowed Origin', async () => {
      const login = await loggedIn(undefined, { refresh_token_delivery: 'cookie' });
      const cookie = `refresh_token=${refreshCookieOf(login)}`;
      await expectResponse(403, 'POST', '/auth/logout', { headers: { Cookie: cookie } });
      const logout = await expectResponse(204, 'POST', '/auth/logout', { headers: { Cookie: cookie, Origin: APP_ORIGIN } });
      expect(refreshCookieOf(logout)).toBe('');
    });

    it('401 without a token or with a bad one, 400 for a non-string', async () => {
      await expectResponse(401, 'POST', '/auth/logout', { json: {} });
      await expectResponse(400, 'POST', '/auth/logout', { json: { refresh_token: [] } });
      await expectResponse(401, 'POST', '/auth/logout', { json: { refresh_token: 'garbage' } });
    });
  });

  describe('protected endpoints', () => {
    it('GET /me: 200, and 401 from API Gateway without a valid token', async () => {
      const { email, body } = await loggedIn();
      const me = await expectResponse(200, 'GET', '/me', { headers: bearer(body.access_token) });
      expect(me.body.email).toBe(email);
      await expectResponse(401, 'GET', '/me');
      await expectResponse(401, 'GET', '/me', { headers: bearer(`${body.access_token}x`) });
    });

    it('GET /auth/sessions: 200 newest first, and 401', async () => {
      const email = await registered();
      await loggedIn(email);
      const second = await loggedIn(email);
      const list = await expectResponse(200, 'GET', '/auth/sessions', { headers: { ...bearer(second.body.access_token), 'User-Agent': 'openapi-test' } });
      expect(list.body.sessions.map((session: { current: boolean }) => session.current)).toEqual([true, false]);
      await expectResponse(401, 'GET', '/auth/sessions', { headers: { Authorization: `Basic ${second.body.access_token}` } });
    });

    it('GET /me/security-events: 200 with the sign-ins newest first, 400 for a cursor that is not one, and 401', async () => {
      const email = await registered();
      await expectResponse(401, 'POST', '/auth/login', { json: { email, password: `${PASSWORD}!` } });
      const login = await loggedIn(email);
      const list = await expectResponse(200, 'GET', '/me/security-events', { headers: bearer(login.body.access_token) });
      expect(list.body.events.map((event: { type: string }) => event.type)).toEqual(['login_succeeded', 'login_failed']);
      await expectResponse(400, 'GET', '/me/security-events?cursor=not-a-cursor', { headers: bearer(login.body.access_token) });
      await expectResponse(401, 'GET', '/me/security-events', { headers: bearer(`${login.body.access_token}x`) });
    });

    it('DELETE /auth/sessions/{id}: 204 for an own session, 404 for an unknown or foreign one, and 401', async () => {
      const email = await registered();
      const first = await loggedIn(email);
      const second = await loggedIn(email);
      const stranger = await loggedIn();
      const sessions = await expectResponse(200, 'GET', '/auth/sessions', { headers: bearer(second.body.access_token) });
      const older = sessions.body.sessions.find((session: { current: boolean }) => !session.current).id as string;
      await expectResponse(404, 'DELETE', `/auth/sessions/${UNKNOWN_SESSION_ID}`, { headers: bearer(second.body.access_token) });
      await expectResponse(404, 'DELETE', `/auth/sessions/${older}`, { headers: bearer(stranger.body.access_token) });
      await expectResponse(401, 'DELETE', `/auth/sessions/${older}`);
      await expectResponse(204, 'DELETE', `/auth/sessions/${older}`, { headers: bearer(second.body.access_token) });
      await expectResponse(401, 'POST', '/auth/refresh', { json: { refresh_token: first.body.refresh_token } });
    });

    it('POST /auth/logout-all: 204, and 401', async () => {
      const login = await loggedIn();
      await expectResponse(401, 'POST', '/auth/logout-all');
      await expectResponse(204, 'POST', '/auth/logout-all', { headers: bearer(login.body.access_token) });
      await expectResponse(401, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
    });
  });

  describe('GET /.well-known/jwks.json', () => {
    it('200 with public keys only and a public cache header', async () => {
      const jwks = await expectResponse(200, 'GET', '/.well-known/jwks.json');
      expect(jwks.body.keys.length).toBeGreaterThan(0);
    });
  });

  describe('passkeys', () => {
    it('register, list, log in (body and cookie), delete: success and error responses', async () => {
      const { body } = await verifiedLoggedIn();
      const authorized = bearer(body.access_token);
      const authenticator = createSoftAuthenticator({ rpId: 'localhost', origin: `http://localhost:${server.port}` });
      const creation = await expectResponse(200, 'POST', '/auth/passkeys/register/options', { headers: authorized });
      const registration = authenticator.register(creation.body);
      await expectResponse(400, 'POST', '/auth/passkeys/register/verify', { headers: authorized, json: { response: 'no' } });
      const created = await expectResponse(201, 'POST', '/auth/passkeys/register/verify', { headers: authorized, json: { response: registration, name: 'Key' } });
      // With a passkey on the account, adding one (even replaying this response) needs a sign-in with it: 403 before the replay's 401.
      await expectResponse(403, 'POST', '/auth/passkeys/register/verify', { headers: authorized, json: { response: registration } });
      await expectResponse(200, 'GET', '/auth/passkeys', { headers: authorized });
      for (const delivery of ['body', 'cookie']) {
        const options = await expectResponse(200, 'POST', '/auth/passkeys/login/options', { json: {} });
        const response = authenticator.assert(options.body.options);
        await expectResponse(200, 'POST', '/auth/passkeys/login/verify', { json: { challenge_id: options.body.challenge_id, response, refresh_token_delivery: delivery } });
        await expectResponse(401, 'POST', '/auth/passkeys/login/verify', { json: { challenge_id: options.body.challenge_id, response } });
      }
      await expectResponse(400, 'POST', '/auth/passkeys/login/verify', { json: { response: {} } });
      await expectResponse(404, 'DELETE', `/auth/passkeys/${UNKNOWN_SESSION_ID}`, { headers: authorized });
      await expectResponse(204, 'DELETE', `/auth/passkeys/${created.body.id}`, { headers: authorized });
    });
  });
  // mfa: the success status of each operation; the rest is in test/e2e/mfa.test.ts.
  describe('TOTP and recovery codes', () => {
    it('setup 200, confirm 200, verify 200, recovery-codes 200, disable 204', async () => {
      // Three codes of three steps (previous, current, next), taken well inside a step.
      if (Date.now() % 30_000 > 25_000) await new Promise((resolve) => setTimeout(resolve, 6_000));
      const { email, body } = await verifiedLoggedIn();
      const setup = await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(body.access_token) });
      const codeAt = (offset: number) => codeForStep(setup.body.secret, stepAt(Date.now()) + offset);
      await expectResponse(200, 'POST', '/auth/mfa/totp/confirm', { headers: bearer(body.access_token), json: { code: codeAt(-1) } });
      const challenge = await expectResponse(403, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
      await expectResponse(200, 'POST', '/auth/mfa/verify', { json: { mfa_token: challenge.body.mfa_token, code: codeAt(0) } });
      await expectResponse(200, 'POST', '/auth/mfa/recovery-codes', { headers: bearer(body.access_token), json: { password: PASSWORD } });
      await expectResponse(204, 'POST', '/auth/mfa/totp/disable', { headers: bearer(body.access_token), json: { password: PASSWORD, code: codeAt(1) } });
    });
  });
  // end mfa

  describe('re-authentication and factor notices', () => {
    it('reauthenticate 200, 400, 401; a sensitive change with an old sign-in 403; an unverified email 403; factors/report 204 and 400', async () => {
      const { email, body } = await verifiedLoggedIn();
      const fresh = await expectResponse(200, 'POST', '/auth/reauthenticate', { headers: bearer(body.access_token), json: { password: PASSWORD } });
      expect(Object.keys(fresh.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
      await expectResponse(400, 'POST', '/auth/reauthenticate', { headers: bearer(body.access_token), json: { password: PASSWORD, challenge_id: 'x', response: {} } });
      await expectResponse(401, 'POST', '/auth/reauthenticate', { headers: bearer(body.access_token), json: { password: 'not the password' } });
      const old = await signedInAgo(body.access_token, 3600);
      for (const [method, path] of [['POST', '/auth/mfa/totp/setup'], ['POST', '/auth/passkeys/register/options'], ['DELETE', `/auth/passkeys/${UNKNOWN_SESSION_ID}`]] as const) {
        const refused = await expectResponse(403, method, path, { headers: bearer(old) });
        expect(refused.body.error).toBe('reauthentication_required');
      }
      const unverified = await loggedIn();
      expect((await expectResponse(403, 'POST', '/auth/mfa/totp/setup', { headers: bearer(unverified.body.access_token) })).body.error).toBe('email_not_verified');

      const authenticator = createSoftAuthenticator({ rpId: 'localhost', origin: `http://localhost:${server.port}` });
      const creation = await expectResponse(200, 'POST', '/auth/passkeys/register/options', { headers: bearer(fresh.body.access_token) });
      const sentAfter = Date.now() - 1000;
      await expectResponse(201, 'POST', '/auth/passkeys/register/verify', { headers: bearer(fresh.body.access_token), json: { response: authenticator.register(creation.body) } });
      const token = await emailedToken(email, 'A passkey was added', sentAfter);
      await expectResponse(204, 'POST', '/auth/factors/report', { json: { token } });
      const used = await expectResponse(400, 'POST', '/auth/factors/report', { json: { token } });
      expect(used.body.error).toBe('invalid_one_time_token');
      await expectResponse(400, 'POST', '/auth/factors/report', { json: { token: 42 } });
    });
  });

  // Last on purpose: the spec cannot grow an operation that no test above drives.
  // The account operations need the local inbox and a minute between emails: test/e2e/accounts.test.ts
  // validates every one of their responses against this document the same way.
  const EXERCISED_IN_ACCOUNTS_TEST = new Set([
    'POST /auth/email/verify 204',
    'POST /auth/email/verify-request 202',
    'POST /auth/password/forgot 202',
    'POST /auth/password/reset 204',
    'POST /auth/password/change 204',
    'DELETE /me 204',
  ]);
  // The admin API needs admin tokens and accounts to act on: test/e2e/admin.test.ts validates every one of its responses.
  const EXERCISED_IN_ADMIN_TEST = new Set([
    'GET /admin/users 200',
    'GET /admin/users/{id} 200',
    'DELETE /admin/users/{id} 204',
    'POST /admin/users/{id}/disable 204',
    'POST /admin/users/{id}/enable 204',
    'POST /admin/users/{id}/sign-out 204',
    'PUT /admin/users/{id}/roles 200',
    'GET /admin/audit 200',
    // test/e2e/admin-clients.test.ts
    'GET /admin/clients 200',
    'POST /admin/clients 201',
    'GET /admin/clients/{id} 200',
    'DELETE /admin/clients/{id} 204',
    'POST /admin/clients/{id}/secret 200',
  ]);
  it('exercised every operation of the document with its success status', () => {
    const missing = spec.operations
      .map(({ method, path, successStatus }) => `${method} ${path} ${successStatus}`)
      .filter((operation) => !spec.exercised.has(operation) && !EXERCISED_IN_ACCOUNTS_TEST.has(operation) && !EXERCISED_IN_ADMIN_TEST.has(operation));
    expect(missing).toEqual([]);
  });
});
