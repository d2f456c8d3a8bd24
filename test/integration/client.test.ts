import { importJWK, SignJWT } from 'jose';
import { AuthError, createAuthClient, memoryStorage, type AuthClientOptions, type LoggedOutReason, type Transport } from '../../client';
import { runDemo } from '../../scripts/demo';
import { PASSWORD, signingJwk, uniqueEmail } from '../support/fixtures';
import { resignedAccessToken } from '../support/e2e-accounts';
import { call } from '../support/http';
import { startTestServer } from '../support/server';

// The client against the real service (serverless-offline, API Gateway authorizer included),
// with body delivery; the browser's cookie delivery is covered by test/e2e/browser.test.ts.

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly token: string | undefined;
}

/** A transport that records every exchange; `rewrite` may change a request before it is sent. */
function recordingTransport(rewrite: (request: Request) => Request = (request) => request) {
  const exchanges: Exchange[] = [];
  const transport: Transport = async (original) => {
    const request = rewrite(original);
    const token = request.headers.get('authorization')?.replace(/^Bearer /, '');
    const response = await fetch(request);
    exchanges.push({ method: request.method, path: new URL(request.url).pathname.replace(/^\/dev/, ''), status: response.status, token });
    return response;
  };
  const count = (method: string, path: string, status?: number) =>
    exchanges.filter((exchange) => exchange.method === method && exchange.path === path && (status === undefined || exchange.status === status)).length;
  return { transport, exchanges, count };
}

/** Rejections of a promise, for asserting both the class and the code. */
async function rejectionOf(promise: Promise<unknown>): Promise<AuthError> {
  const outcome = await promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(AuthError);
  return outcome as AuthError;
}

/** The same access token (same key, session and claims) as if issued long ago: expired for the server. */
async function expiredCopyOf(accessToken: string): Promise<string> {
  const [header, payload] = accessToken.split('.').slice(0, 2).map((segment) => JSON.parse(Buffer.from(segment!, 'base64url').toString('utf8')));
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(await signingJwk('ES256'), 'ES256');
  return new SignJWT({ ...payload, iat: now - 1000, exp: now - 100 }).setProtectedHeader(header).sign(key);
}

const manualClock = (start = Date.now()) => {
  let now = start;
  return { now: () => now, set: (ms: number) => (now = ms) };
};

describe('auth client against the service', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const accounts: { email: string }[] = [];

  beforeAll(async () => {
    // The default 15-minute tokens: nothing here waits for an expiry or depends on how fast a busy
    // machine answers. A test that needs an expired token moves the client's clock (what the client
    // believes) or signs one with the server's key (what the server sees).
    server = await startTestServer();
    // Warm the functions, and enough workers for 20 concurrent calls.
    const email = uniqueEmail('warm');
    await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    const login = await call(server.baseUrl, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    const auth = { headers: { Authorization: `Bearer ${login.body.access_token}` } };
    await Promise.all([...Array.from({ length: 20 }, () => call(server.baseUrl, 'GET', '/me', auth)), call(server.baseUrl, 'GET', '/auth/sessions', auth)]);
    const refreshed = await call(server.baseUrl, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
    await call(server.baseUrl, 'POST', '/auth/logout', { json: { refresh_token: refreshed.body.refresh_token } });
  }, 180_000);
  afterAll(() => server?.stop());

  /** A client of a fresh account, logged in, with its exchanges and events recorded. */
  async function signedInClient(options: Partial<AuthClientOptions> & { rewrite?: (request: Request) => Request } = {}) {
    const email = uniqueEmail('client');
    accounts.push({ email });
    const recorder = recordingTransport(options.rewrite);
    const storage = memoryStorage();
    const client = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body', storage, fetch: recorder.transport, ...options });
    const events: { type: string; reason?: LoggedOutReason; code?: string }[] = [];
    client.addEventListener('logged-in', () => events.push({ type: 'logged-in' }));
    client.addEventListener('refreshed', () => events.push({ type: 'refreshed' }));
    client.addEventListener('logged-out', (event) => events.push({ type: 'logged-out', reason: event.reason, code: event.error?.code }));
    await client.register({ email, password: PASSWORD });
    const tokens = await client.login({ email, password: PASSWORD });
    return { client, email, storage, tokens, events, ...recorder };
  }

  it('registers, logs in and calls /me with the access token, with typed results', async () => {
    const email = uniqueEmail('typed');
    const client = createAuthClient({ baseUrl: `${server.baseUrl}/`, delivery: 'body' });

    const account = await client.register({ email: `  ${email.toUpperCase()} `, password: PASSWORD });
    expect(account).toEqual({ id: expect.any(String), email, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });

    const before = Date.now();
    const tokens = await client.login({ email, password: PASSWORD });
    expect(tokens).toEqual({ expiresIn: 900, expiresAt: expect.any(Number), refreshTokenExpiresIn: 1209600, sessionId: expect.any(String) });
    expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + 900_000);
    expect(client.isLoggedIn).toBe(true);
    expect(client.sessionId).toBe(tokens.sessionId);

    const me = await client.fetch('/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ id: account.id, email, email_verified: false, mfa_enabled: false, session_id: tokens.sessionId });
    expect(await client.me()).toEqual({ id: account.id, email, emailVerified: false, mfaEnabled: false, sessionId: tokens.sessionId });
  });

  it('rejects with an AuthError that carries the contract error code', async () => {
    const { client, email } = await signedInClient();

    expect(await rejectionOf(client.register({ email, password: PASSWORD }))).toMatchObject({ code: 'email_taken', status: 409 });
    expect(await rejectionOf(client.register({ email: uniqueEmail(), password: 'short' }))).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(await rejectionOf(client.endSession('A'.repeat(22)))).toMatchObject({ code: 'not_found', status: 404 });

    const stranger = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body' });
    expect(await rejectionOf(stranger.login({ email, password: 'wrong password' }))).toMatchObject({ code: 'invalid_credentials', status: 401 });
    // API Gateway's own 401 has no contract code.
    expect(await rejectionOf(stranger.listSessions())).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(await rejectionOf(stranger.refresh())).toMatchObject({ code: 'not_authenticated', status: 0 });
    const unreachable = createAuthClient({ baseUrl: 'http://127.0.0.1:9/dev', delivery: 'body' });
    expect(await rejectionOf(unreachable.login({ email, password: PASSWORD }))).toMatchObject({ code: 'network_error', status: 0 });
  });

  it('refreshes proactively shortly before expiry, by the clock that measured expires_in', async () => {
    const clock = manualClock();
    const { client, tokens, storage, exchanges, events } = await signedInClient({ now: clock.now });
    const loginToken = storage.current!.accessToken;
    expect(tokens.expiresAt).toBe(clock.now() + 900_000);

    // 30 s before expiry by default.
    clock.set(tokens.expiresAt - 30_100);
    await client.fetch('/me');
    expect(exchanges.slice(2)).toEqual([{ method: 'GET', path: '/me', status: 200, token: loginToken }]);

    clock.set(tokens.expiresAt - 29_900);
    exchanges.length = 0;
    const me = await client.fetch('/me');
    expect(me.status).toBe(200);
    expect(exchanges.map(({ method, path, status }) => `${method} ${path} ${status}`)).toEqual(['POST /auth/refresh 200', 'GET /me 200']);
    expect(exchanges[1]!.token).toBe(storage.current!.accessToken);
    expect(exchanges[1]!.token).not.toBe(loginToken);
    expect(events.filter((event) => event.type === 'refreshed')).toHaveLength(1);
  });

  it('refreshes at half the lifetime at the latest, whatever the leeway', async () => {
    const clock = manualClock();
    const { client, tokens, count } = await signedInClient({ now: clock.now, refreshLeewaySeconds: 3600 });

    clock.set(tokens.expiresAt - 450_100);
    await client.fetch('/me');
    expect(count('POST', '/auth/refresh')).toBe(0);

    clock.set(tokens.expiresAt - 449_900);
    await client.fetch('/me');
    expect(count('POST', '/auth/refresh')).toBe(1);
  });

  it('shares one refresh among 20 concurrent calls after expiry (single flight)', async () => {
    const clock = manualClock();
    const { client, tokens, count, exchanges } = await signedInClient({ now: clock.now });
    clock.set(tokens.expiresAt + 1000);
    exchanges.length = 0;

    const responses = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/me')));

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(count('POST', '/auth/refresh')).toBe(1);
    expect(count('GET', '/me', 401)).toBe(0);
    expect(new Set(exchanges.filter((exchange) => exchange.path === '/me').map((exchange) => exchange.token)).size).toBe(1);
  });

  it('on a 401, refreshes once for every concurrent caller and retries each request once', async () => {
    // A client whose stored access token has really expired (server-side) while its clock says it
    // has a minute left: only the server's 401 can tell it.
    const { storage } = await signedInClient();
    const live = storage.current!;
    const expired = await expiredCopyOf(live.accessToken);
    const recorder = recordingTransport();
    const seeded = memoryStorage({ ...live, accessToken: expired, refreshAt: Date.now() + 60_000, expiresAt: Date.now() + 60_000 });
    const client = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body', storage: seeded, fetch: recorder.transport });

    const responses = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/me')));

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    expect(recorder.count('POST', '/auth/refresh')).toBe(1);
    const meCalls = recorder.exchanges.filter((exchange) => exchange.path === '/me');
    expect(meCalls.filter((exchange) => exchange.token === expired).map((exchange) => exchange.status)).toEqual(Array(20).fill(401));
    const fresh = meCalls.filter((exchange) => exchange.token !== expired);
    expect(fresh).toHaveLength(20);
    expect(new Set(fresh.map((exchange) => exchange.token))).toEqual(new Set([seeded.current!.accessToken]));
  });

  it('retries once only: a second 401 is handed back', async () => {
    // Every /me goes out with a token the authorizer refuses, before and after the refresh.
    const sabotage = (request: Request) => (new URL(request.url).pathname.endsWith('/me') ? new Request(request, { headers: { Authorization: 'Bearer e30.e30.AAAA' } }) : request);
    const { client, count, events } = await signedInClient({ rewrite: sabotage });

    const response = await client.fetch('/me');

    expect(response.status).toBe(401);
    expect(count('GET', '/me')).toBe(2);
    expect(count('POST', '/auth/refresh', 200)).toBe(1);
    expect(client.isLoggedIn).toBe(true);
    expect(events.map((event) => event.type)).toEqual(['logged-in', 'refreshed']);
  });

  it('logs out when the refresh is refused: state cleared, one logged-out event, every caller rejected', async () => {
    const clock = manualClock();
    const { client, storage, tokens, count, events } = await signedInClient({ now: clock.now });
    // The session ends behind the client's back (another device, an admin, reuse detection).
    expect((await call(server.baseUrl, 'POST', '/auth/logout', { json: { refresh_token: storage.current!.refreshToken } })).status).toBe(204);
    clock.set(tokens.expiresAt + 1000);

    const outcomes = await Promise.all(Array.from({ length: 20 }, () => rejectionOf(client.fetch('/me'))));

    expect(outcomes.map((error) => [error.code, error.status])).toEqual(Array(20).fill(['invalid_refresh_token', 401]));
    expect(count('POST', '/auth/refresh')).toBe(1);
    expect(events.filter((event) => event.type === 'logged-out')).toEqual([{ type: 'logged-out', reason: 'refresh-failed', code: 'invalid_refresh_token' }]);
    expect(client.isLoggedIn).toBe(false);
    expect(storage.current).toBeNull();

    // Logged out, the client sends no token at all.
    const anonymous = await client.fetch('/me');
    expect(anonymous.status).toBe(401);
    expect(count('GET', '/me')).toBe(1);
  });

  it('logs out: the session ends on the server and locally', async () => {
    const { client, storage, events, exchanges } = await signedInClient();
    const refreshToken = storage.current!.refreshToken;

    await client.logout();

    expect(exchanges.at(-1)).toMatchObject({ method: 'POST', path: '/auth/logout', status: 204 });
    expect(events.at(-1)).toEqual({ type: 'logged-out', reason: 'logout', code: undefined });
    expect(storage.current).toBeNull();
    const refused = await call(server.baseUrl, 'POST', '/auth/refresh', { json: { refresh_token: refreshToken } });
    expect(refused.body).toEqual({ error: 'invalid_refresh_token', message: expect.any(String) });
    expect(await rejectionOf(client.refresh())).toMatchObject({ code: 'not_authenticated' });
  });

  it('lists and ends sessions, and logs out everywhere', async () => {
    const first = await signedInClient();
    const second = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body' });
    const third = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body' });
    await second.login({ email: first.email, password: PASSWORD });
    await third.login({ email: first.email, password: PASSWORD });

    const { sessions, nextCursor } = await first.client.listSessions();
    expect(nextCursor).toBeUndefined();
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((session) => session.current).map((session) => session.id)).toEqual([first.client.sessionId]);
    expect(sessions[0]).toEqual({
      id: expect.any(String),
      createdAt: expect.stringMatching(/^\d{4}-/),
      lastUsedAt: expect.stringMatching(/^\d{4}-/),
      expiresAt: expect.stringMatching(/^\d{4}-/),
      userAgent: sessions[0]!.userAgent === null ? null : expect.any(String),
      ip: sessions[0]!.ip === null ? null : expect.any(String),
      current: false,
    });

    // Ending another session: that client's next refresh is refused.
    await first.client.endSession(second.sessionId!);
    expect((await first.client.listSessions()).sessions.map((session) => session.id).sort()).toEqual([first.client.sessionId, third.sessionId].sort());
    expect(await rejectionOf(second.refresh())).toMatchObject({ code: 'invalid_refresh_token' });
    expect(second.isLoggedIn).toBe(false);

    // Ending its own session logs the client out.
    await third.endSession(third.sessionId!);
    expect(third.isLoggedIn).toBe(false);

    const fourth = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body' });
    await fourth.login({ email: first.email, password: PASSWORD });
    await first.client.logoutAll();
    expect(first.events.at(-1)).toEqual({ type: 'logged-out', reason: 'logout-all', code: undefined });
    expect(first.client.isLoggedIn).toBe(false);
    expect(await rejectionOf(fourth.refresh())).toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('an account deleted on another device: me() answers not_found and the client logs out (account-deleted)', async () => {
    const first = await signedInClient();
    const { client: other, events } = await signedInClient();
    const sameAccount = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body' });
    await sameAccount.login({ email: first.email, password: PASSWORD });
    const reasons: { reason: LoggedOutReason; code: string | undefined }[] = [];
    sameAccount.addEventListener('logged-out', (event) => reasons.push({ reason: event.reason, code: event.error?.code }));

    await first.client.deleteAccount(PASSWORD);

    expect(await rejectionOf(sameAccount.me())).toMatchObject({ code: 'not_found', status: 404 });
    expect(reasons).toEqual([{ reason: 'account-deleted', code: 'not_found' }]);
    expect(sameAccount.isLoggedIn).toBe(false);
    // Another account's client is untouched.
    expect((await other.me()).email).not.toBe(first.email);
    expect(events.filter((event) => event.type === 'logged-out')).toEqual([]);
  });

  // These two need the service's re-authentication rules (API-CONTRACT.md, "Re-authentication and factor notices").
  it('reauthenticate: a new access token for the same session, the refresh token not rotated; a wrong password is invalid_credentials', async () => {
    const { client, storage, exchanges } = await signedInClient();
    const before = storage.current!;

    expect(await rejectionOf(client.reauthenticate({ password: 'not the password' }))).toMatchObject({ code: 'invalid_credentials', status: 401 });
    const tokens = await client.reauthenticate({ password: PASSWORD });

    expect(tokens).toEqual({ expiresIn: 900, expiresAt: expect.any(Number), sessionId: client.sessionId });
    expect(storage.current!.accessToken).not.toBe(before.accessToken);
    expect(storage.current!.refreshToken).toBe(before.refreshToken);
    expect(exchanges.filter((exchange) => exchange.path === '/auth/reauthenticate').map((exchange) => exchange.status)).toEqual([401, 200]);
    expect((await client.me()).sessionId).toBe(tokens.sessionId);
    // The refresh token still works: the re-authentication did not rotate it.
    expect((await client.refresh()).sessionId).toBe(tokens.sessionId);
  });

  it('reportFactor with a token the service never issued is invalid_one_time_token', async () => {
    const client = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body' });
    expect(await rejectionOf(client.reportFactor('A'.repeat(43)))).toMatchObject({ code: 'invalid_one_time_token', status: 400 });
  });

  it('resume() on a first visit: no token at all, or a dead one, is "signed out" (null), with no event', async () => {
    // No cookie and no body: the probe a page makes on load (Node's fetch keeps no cookies).
    const firstVisit = createAuthClient({ baseUrl: server.baseUrl, delivery: 'cookie' });
    const events: string[] = [];
    firstVisit.addEventListener('logged-out', (event) => events.push(event.reason));
    expect(await firstVisit.resume()).toBeNull();
    expect(events).toEqual([]);

    const { client, storage } = await signedInClient();
    const stale = memoryStorage(storage.current);
    await client.logout();
    const returning = createAuthClient({ baseUrl: server.baseUrl, delivery: 'body', storage: stale });
    expect(await returning.resume()).toBeNull();
    expect(stale.current).toBeNull();
  });

  it('never sends the access token outside baseUrl', async () => {
    const sent: { url: string; authorization: string | null }[] = [];
    const { client, storage } = await signedInClient();
    const spy = createAuthClient({
      baseUrl: server.baseUrl,
      delivery: 'body',
      storage,
      now: () => 0, // never "about to expire": this test is about where the token goes, not when
      fetch: async (request) => {
        sent.push({ url: request.url, authorization: request.headers.get('authorization') });
        return new Response(null, { status: 204 });
      },
    });
    expect(client.isLoggedIn).toBe(true);
    const origin = new URL(server.baseUrl).origin;
    const elsewhere = [
      'https://attacker.example/dev/me',
      `${origin}/devil/me`,
      `${origin}/dev/../other/me`,
      `${origin}/other/me`,
      `http://localhost:${server.port}/dev/me`,
      `https://${new URL(server.baseUrl).host}/dev/me`,
      new URL(`http://127.0.0.1:${server.port + 1}/dev/me`),
    ];
    for (const url of elsewhere) await spy.fetch(url);
    await spy.fetch(new Request('https://attacker.example/collect', { method: 'POST', body: 'x' }));
    expect(sent.map((request) => request.authorization)).toEqual(Array(elsewhere.length + 1).fill(null));

    await spy.fetch(`${server.baseUrl}/me`);
    await spy.fetch('auth/sessions');
    expect(sent.slice(-2)).toEqual([
      { url: `${server.baseUrl}/me`, authorization: `Bearer ${storage.current!.accessToken}` },
      { url: `${server.baseUrl}/auth/sessions`, authorization: `Bearer ${storage.current!.accessToken}` },
    ]);
  });

  it('npm run demo against 15-minute tokens: skips the wait, refreshes on request, and the logged-out token is refused', async () => {
    const lines: string[] = [];
    const ok = await runDemo({ baseUrl: server.baseUrl, maxWaitSeconds: 60, print: (line) => lines.push(line) });
    const output = lines.join('\n');

    expect(ok).toBe(true);
    expect(output).toMatch(/Let the access token expire\n\s+skipped: access tokens live 900 s here/);
    expect(output).toMatch(/through the client: it refreshes first, then calls\n\s+→ POST \/dev\/auth\/refresh: 200[^\n]*\n[^\n]*refreshed[^\n]*\n\s+→ GET \/dev\/me with a Bearer token: 200/);
    expect(output).toMatch(/→ POST \/dev\/auth\/refresh: 401[^\n]*\n[^\n]*invalid_refresh_token/);
  });

  it('lists the user\'s own security events: the login it just made comes first, in camelCase', async () => {
    const { client } = await signedInClient();
    const page = await client.listSecurityEvents();
    expect(page.events[0]).toMatchObject({ type: 'login_succeeded', userId: expect.any(String), actorId: null, sessionId: client.sessionId, details: expect.objectContaining({ method: 'password' }) });
    expect(await rejectionOf(client.listSecurityEvents({ cursor: 'not-a-cursor' }))).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('the admin API: a user without the permission is access_denied, without a second factor mfa_required_for_admin; an admin disables, reads, enables and cannot disable themselves (cannot_modify_self)', async () => {
    const { client: plain } = await signedInClient();
    expect(await rejectionOf(plain.admin.listUsers())).toMatchObject({ code: 'access_denied', status: 403 });

    const { client: target, email: targetEmail } = await signedInClient();
    const targetId = (await target.me()).id;
    const { storage, tokens } = await signedInClient();
    const held = (await storage.load())!;
    // As a login of an account with the admin role gives them; the amr decides the second factor.
    const adminWith = async (amr: string[]) => {
      const accessToken = await resignedAccessToken(held.accessToken, { scope: 'users:read users:write audit:read', roles: ['admin'], amr });
      return createAuthClient({ baseUrl: server.baseUrl, delivery: 'body', storage: memoryStorage({ ...held, accessToken, expiresAt: tokens.expiresAt }) });
    };
    const withoutMfa = await adminWith(['pwd']);
    expect(await rejectionOf(withoutMfa.admin.listUsers())).toMatchObject({ code: 'mfa_required_for_admin', status: 403 });

    const admin = await adminWith(['pwd', 'otp', 'mfa']);
    expect((await admin.admin.listUsers({ emailPrefix: targetEmail })).users).toEqual([expect.objectContaining({ id: targetId, email: targetEmail, disabled: false, roles: [] })]);
    await admin.admin.disableUser(targetId);
    expect(await admin.admin.getUser(targetId)).toMatchObject({ id: targetId, disabled: true, liveSessionCount: 0, passkeyCount: 0 });
    expect(await rejectionOf(target.me())).toMatchObject({ code: 'account_disabled', status: 403 });
    expect(target.isLoggedIn).toBe(false);
    expect(await rejectionOf(target.login({ email: targetEmail, password: PASSWORD }))).toMatchObject({ code: 'account_disabled', status: 403 });
    const audit = await admin.admin.listAudit({ userId: targetId, type: 'account_disabled' });
    expect(audit.events[0]).toMatchObject({ type: 'account_disabled', userId: targetId, actorId: expect.any(String) });
    await admin.admin.enableUser(targetId);
    await target.login({ email: targetEmail, password: PASSWORD });

    const adminId = (await admin.me()).id;
    expect(await rejectionOf(admin.admin.disableUser(adminId))).toMatchObject({ code: 'cannot_modify_self', status: 409 });
    expect(await rejectionOf(admin.admin.getUser('no-such-user'))).toMatchObject({ code: 'not_found', status: 404 });
  });
});
