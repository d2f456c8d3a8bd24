import { freePort } from '../../scripts/dev/ports';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { bearer, call, sleep, type HttpResult } from '../support/http';
import { linkIn, readInbox, tokenOfLink, waitForEmail } from '../support/inbox';
import { loadOpenApi } from '../support/openapi';
import { resetEmailFor } from '../support/e2e-accounts';
import { startTestServer } from '../support/server';

const NEW_PASSWORD = 'a brand new passphrase';
const SES = process.env.TEST_SES_ENDPOINT!;
const RESET_TTL_SECONDS = 60;
// Operations exercised here with real responses (for openapi.test.ts's "every operation" check):
// POST /auth/email/verify, POST /auth/email/verify-request, POST /auth/password/forgot,
// POST /auth/password/reset, POST /auth/password/change, DELETE /me (and GET /me 404).

type Options = Parameters<typeof call>[3];
type Server = Awaited<ReturnType<typeof startTestServer>>;

// The account features end to end: serverless-offline, DynamoDB Local and the local SES emulator; every
// response is also checked against docs/openapi.yaml.
describe('accounts over HTTP (REQUIRE_VERIFIED_EMAIL=true)', () => {
  const spec = loadOpenApi();
  let server: Server;
  let base: string;
  // Asked for first, used by the last tests once a minute has passed (the email throttle, the short TTL).
  let expiring: { token: string; sentAt: number };
  let superseded: { email: string; token: string; sentAt: number };

  const request = async (status: number, method: string, path: string, options: Options = {}): Promise<HttpResult> => {
    const result = await call(base, method, path, options);
    const problems = spec.validateResponse(method, path, result.status, result.body, result.headers);
    expect({ path, status: result.status, body: result.body, problems }).toEqual({ path, status, body: result.body, problems: [] });
    return result;
  };
  const tokenOf = async (to: string, subject: string, after?: number) => tokenOfLink(linkIn(await waitForEmail(SES, { to, subjectIncludes: subject, after })));
  const registered = async (prefix: string) => {
    const email = uniqueEmail(prefix);
    const created = await request(201, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    return { email, id: created.body.id as string };
  };
  const verified = async (prefix: string) => {
    const account = await registered(prefix);
    await request(204, 'POST', '/auth/email/verify', { json: { token: await tokenOf(account.email, 'Confirm') } });
    return account;
  };
  const login = async (email: string, password = PASSWORD) => (await request(200, 'POST', '/auth/login', { json: { email, password } })).body as { access_token: string; refresh_token: string };
  const forgot = (email: string) => request(202, 'POST', '/auth/password/forgot', { json: { email } });
  const resetToken = async (email: string) => {
    const sentAfter = Date.now();
    await forgot(email);
    return tokenOfLink(linkIn(await resetEmailFor(base, email, sentAfter)));
  };

  beforeAll(async () => {
    server = await startTestServer({ REQUIRE_VERIFIED_EMAIL: 'true', PASSWORD_RESET_TTL_SECONDS: String(RESET_TTL_SECONDS) });
    base = server.baseUrl;
    const [first, second] = [await registered('expiring'), await registered('superseded')];
    expiring = { sentAt: Date.now(), token: await resetToken(first.email) };
    superseded = { email: second.email, sentAt: Date.now(), token: await resetToken(second.email) };
  });
  afterAll(() => server?.stop());

  it('register sends a verification email; login is 403 email_not_verified until its link is used; the used link is then invalid', async () => {
    const { email } = await registered('verify');
    const message = await waitForEmail(SES, { to: email, subjectIncludes: 'Confirm' });
    expect(linkIn(message)).toMatch(/^http:\/\/localhost:\d+\/dev\/demo\?action=verify-email#token=/);
    expect(message.body.html).toContain('action=verify-email#token=');
    expect(`${message.body.text}${message.body.html}`).not.toContain(PASSWORD);
    const refused = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'email_not_verified', message: expect.any(String) });

    const token = tokenOfLink(linkIn(message));
    await request(204, 'POST', '/auth/email/verify', { json: { token } });
    const tokens = await login(email);
    expect((await request(200, 'GET', '/me', { headers: bearer(tokens.access_token) })).body).toMatchObject({ email, email_verified: true, mfa_enabled: false });
    const again = await request(400, 'POST', '/auth/email/verify', { json: { token } });
    expect(again.body).toEqual({ error: 'invalid_one_time_token', message: expect.any(String) });
  });

  it('an already verified email accepts a valid verification token with 204', async () => {
    const { email } = await registered('reverify');
    const verification = await tokenOf(email, 'Confirm');
    // A reset proves the address too, without using the verification link.
    await request(204, 'POST', '/auth/password/reset', { json: { token: await resetToken(email), password: NEW_PASSWORD } });
    const tokens = await login(email, NEW_PASSWORD);
    expect((await request(200, 'GET', '/me', { headers: bearer(tokens.access_token) })).body.email_verified).toBe(true);
    await request(204, 'POST', '/auth/email/verify', { json: { token: verification } });
  });

  it('verify-request is 429 with Retry-After within a minute of the register email, and a malformed token is invalid_one_time_token', async () => {
    const { email } = await verified('throttle');
    const tokens = await login(email);
    const result = await request(429, 'POST', '/auth/email/verify-request', { headers: bearer(tokens.access_token) });
    expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(result.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    for (const token of ['', 'not-a-token', `${'0'.repeat(36)}.${'A'.repeat(43)}`, 'x'.repeat(5000)]) {
      expect((await request(400, 'POST', '/auth/email/verify', { json: { token } })).body.error).toBe('invalid_one_time_token');
    }
    expect((await request(400, 'POST', '/auth/email/verify', { json: { token: 42 } })).body.error).toBe('invalid_request');
  });

  it('forgot-password answers the same 202 and body for unknown and known emails, and sends one reset email a minute, silently', async () => {
    const { email } = await registered('forgot');
    const unknown = await forgot(uniqueEmail('nobody'));
    const first = await forgot(email);
    const second = await forgot(email);
    expect([unknown.body, first.body, second.body]).toEqual([{ status: 'accepted' }, { status: 'accepted' }, { status: 'accepted' }]);
    const resets = (await readInbox(SES)).filter((message) => message.destination.to.includes(email) && message.subject.includes('Reset your'));
    expect(resets).toHaveLength(1);
    expect(linkIn(resets[0]!)).toMatch(/\?action=reset-password#token=/);
    expect((await call(base, 'POST', '/auth/password/forgot', { json: { email: 'not an email' } })).body).toEqual({ error: 'invalid_request', message: expect.any(String) });
  });

  it('a reset sets the password, verifies the email, clears the login throttle, ends every session and sends the notice', async () => {
    const { email } = await registered('reset');
    const token = await resetToken(email);
    for (let attempt = 0; attempt < 5; attempt++) await call(base, 'POST', '/auth/login', { json: { email, password: 'wrong password' } });
    expect((await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } })).status).toBe(429);

    const before = Date.now();
    await request(204, 'POST', '/auth/password/reset', { json: { token, password: NEW_PASSWORD } });

    const notice = await waitForEmail(SES, { to: email, subjectIncludes: 'password was changed', after: before });
    expect(notice.body.text).not.toMatch(/https?:\/\//);
    expect((await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } })).body.error).toBe('invalid_credentials');
    const tokens = await login(email, NEW_PASSWORD);
    expect((await request(200, 'GET', '/me', { headers: bearer(tokens.access_token) })).body.email_verified).toBe(true);
  });

  it('a reset ends every session: their refresh tokens fail', async () => {
    const { email } = await verified('reset-sessions');
    const [a, b] = [await login(email), await login(email)];
    await request(204, 'POST', '/auth/password/reset', { json: { token: await resetToken(email), password: NEW_PASSWORD } });
    for (const tokens of [a, b]) expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: tokens.refresh_token } })).body.error).toBe('invalid_refresh_token');
  });

  it('of 5 concurrent resets with one token exactly one answers 204, the others 400 invalid_one_time_token', async () => {
    const { email } = await registered('race');
    const token = await resetToken(email);
    const results = await Promise.all(Array.from({ length: 5 }, (_, index) => call(base, 'POST', '/auth/password/reset', { json: { token, password: `${NEW_PASSWORD} ${index}` } })));
    expect(results.map((result) => result.status).sort()).toEqual([204, 400, 400, 400, 400]);
    for (const result of results.filter((r) => r.status === 400)) expect(result.body).toEqual({ error: 'invalid_one_time_token', message: expect.any(String) });
    const winner = results.findIndex((result) => result.status === 204);
    await login(email, `${NEW_PASSWORD} ${winner}`);
  });

  it('change needs the current password (401 invalid_credentials, counted), ends every other session and keeps the caller’s', async () => {
    const { email } = await verified('change');
    const [mine, other] = [await login(email), await login(email)];
    const wrong = await request(401, 'POST', '/auth/password/change', { headers: bearer(mine.access_token), json: { current_password: 'not it at all', new_password: NEW_PASSWORD } });
    expect(wrong.body).toEqual({ error: 'invalid_credentials', message: expect.any(String) });
    expect((await request(400, 'POST', '/auth/password/change', { headers: bearer(mine.access_token), json: { current_password: PASSWORD, new_password: 'short' } })).body.error).toBe('invalid_request');

    const before = Date.now();
    await request(204, 'POST', '/auth/password/change', { headers: bearer(mine.access_token), json: { current_password: PASSWORD, new_password: NEW_PASSWORD } });

    expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: other.refresh_token } })).body.error).toBe('invalid_refresh_token');
    expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: mine.refresh_token } })).status).toBe(200);
    await waitForEmail(SES, { to: email, subjectIncludes: 'password was changed', after: before });
    await login(email, NEW_PASSWORD);
  });

  it('wrong current passwords count toward the login throttle: past the limit, change answers 429 with Retry-After', async () => {
    const { email } = await verified('change-throttle');
    const tokens = await login(email);
    for (let attempt = 0; attempt < 5; attempt++) {
      await call(base, 'POST', '/auth/password/change', { headers: bearer(tokens.access_token), json: { current_password: 'wrong password', new_password: NEW_PASSWORD } });
    }
    const throttled = await request(429, 'POST', '/auth/password/change', { headers: bearer(tokens.access_token), json: { current_password: PASSWORD, new_password: NEW_PASSWORD } });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('DELETE /me needs the password, then removes the account: refresh 401, GET /me 404, and the email registers again at once', async () => {
    const { email, id } = await verified('delete');
    const [mine, other] = [await login(email), await login(email)];
    const wrong = await request(401, 'DELETE', '/me', { headers: bearer(mine.access_token), json: { password: 'not the password' } });
    expect(wrong.body.error).toBe('invalid_credentials');

    await request(204, 'DELETE', '/me', { headers: bearer(mine.access_token), json: { password: PASSWORD } });

    for (const tokens of [mine, other]) expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: tokens.refresh_token } })).body.error).toBe('invalid_refresh_token');
    expect((await request(404, 'GET', '/me', { headers: bearer(mine.access_token) })).body.error).toBe('not_found');
    expect((await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } })).body.error).toBe('invalid_credentials');
    const again = await request(201, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    expect(again.body.id).not.toBe(id);
  });

  it('a superseded reset token is invalid; the newer one works', async () => {
    // One reset email a minute: the newer link can only come a minute after the first.
    await sleep(Math.max(0, superseded.sentAt + 60_500 - Date.now()));
    const newer = await resetToken(superseded.email);
    expect(newer).not.toBe(superseded.token);
    expect((await request(400, 'POST', '/auth/password/reset', { json: { token: superseded.token, password: NEW_PASSWORD } })).body.error).toBe('invalid_one_time_token');
    await request(204, 'POST', '/auth/password/reset', { json: { token: newer, password: NEW_PASSWORD } });
  }, 90_000);

  it('an expired reset token is invalid_one_time_token (PASSWORD_RESET_TTL_SECONDS=60)', async () => {
    await sleep(Math.max(0, expiring.sentAt + RESET_TTL_SECONDS * 1000 + 1000 - Date.now()));
    const result = await request(400, 'POST', '/auth/password/reset', { json: { token: expiring.token, password: NEW_PASSWORD } });
    expect(result.body.error).toBe('invalid_one_time_token');
  }, 90_000);
});

describe('accounts over HTTP with the mail service down', () => {
  const spec = loadOpenApi();
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ SES_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const request = async (status: number, method: string, path: string, options: Options = {}): Promise<HttpResult> => {
    const result = await call(base, method, path, options);
    const problems = spec.validateResponse(method, path, result.status, result.body, result.headers);
    expect({ path, status: result.status, problems }).toEqual({ path, status, problems: [] });
    return result;
  };

  it('register still answers 201; verify-request answers 503 service_unavailable; forgot-password still 202', async () => {
    const email = uniqueEmail('down');
    await request(201, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    const tokens = (await request(200, 'POST', '/auth/login', { json: { email, password: PASSWORD } })).body;
    // Register's failed email left no throttle behind, so this one is tried (and fails) at once.
    const unavailable = await request(503, 'POST', '/auth/email/verify-request', { headers: bearer(tokens.access_token) });
    expect(unavailable.body).toEqual({ error: 'service_unavailable', message: expect.any(String) });
    // Nothing was kept: the next request is not throttled, it fails the same way.
    expect((await call(base, 'POST', '/auth/email/verify-request', { headers: bearer(tokens.access_token) })).status).toBe(503);
    expect((await request(202, 'POST', '/auth/password/forgot', { json: { email } })).body).toEqual({ status: 'accepted' });
  });
});
