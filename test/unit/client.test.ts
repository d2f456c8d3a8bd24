import { AuthError, checkPasskeyName, createAuthClient, memoryStorage, type AuthClientOptions, type MfaChallenge, type Transport, type WebAuthnAdapter } from '../../client';

// The client's side of the contract, against a scripted transport: what each method sends and how
// it reads each answer. Nothing is started; test/integration/client.test.ts runs it against the service.

const BASE = 'http://api.test/dev';

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | null;
  readonly credentials: Request['credentials'];
  readonly body: unknown;
}

type Reply = { status: number; json?: unknown; headers?: Record<string, string> };
type Route = Reply | ((sent: Sent) => Reply);

/** A transport that answers `METHOD /path?query` from `routes` (the first reply of a list each time) and records every request. */
function scriptedTransport(routes: Record<string, Route | Route[]>) {
  const sent: Sent[] = [];
  const transport: Transport = async (request) => {
    const url = new URL(request.url);
    const text = await request.text();
    const entry: Sent = {
      method: request.method,
      path: url.pathname.replace(/^\/dev/, '') + url.search,
      authorization: request.headers.get('authorization'),
      credentials: request.credentials,
      body: text ? JSON.parse(text) : undefined,
    };
    sent.push(entry);
    const key = `${entry.method} ${entry.path}`;
    const scripted = routes[key];
    const route = Array.isArray(scripted) ? scripted.shift() : scripted;
    if (route === undefined) throw new Error(`unscripted request: ${key}`);
    const reply = typeof route === 'function' ? route(entry) : route;
    const headers = { ...(reply.json === undefined ? {} : { 'Content-Type': 'application/json' }), ...reply.headers };
    return new Response(reply.json === undefined ? null : JSON.stringify(reply.json), { status: reply.status, headers });
  };
  return { transport, sent };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const accessToken = (sid: string) => `${base64url({ alg: 'ES256', typ: 'at+jwt' })}.${base64url({ sub: 'user-1', sid })}.c2ln`;
const tokenReply = (sid: string, refreshToken?: string): Reply => ({
  status: 200,
  json: {
    access_token: accessToken(sid),
    token_type: 'Bearer',
    expires_in: 900,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    refresh_token_expires_in: 1209600,
  },
});
const errorReply = (status: number, error: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  json: { error, message: `${error} for a person`, ...extra },
});

const NOW = Date.UTC(2026, 0, 1);

/** A client holding a live session (body delivery unless told), with its logged-out reasons recorded. */
function signedInClient(routes: Record<string, Route | Route[]>, options: Partial<AuthClientOptions> = {}) {
  const scripted = scriptedTransport(routes);
  const storage = memoryStorage({ accessToken: accessToken('sid-1'), expiresAt: NOW + 900_000, refreshAt: NOW + 870_000, refreshToken: 'refresh-1' });
  const client = createAuthClient({ baseUrl: BASE, delivery: 'body', storage, fetch: scripted.transport, now: () => NOW, ...options });
  const loggedOut: string[] = [];
  client.addEventListener('logged-out', (event) => loggedOut.push(event.reason));
  return { client, storage, loggedOut, ...scripted };
}

/** The rejection of a promise, which must be an AuthError. */
async function rejectionOf(promise: Promise<unknown>): Promise<AuthError> {
  const outcome = await promise.then(
    () => new Error('expected a rejection'),
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(AuthError);
  return outcome as AuthError;
}

describe('resume (the probe on page load)', () => {
  it('resolves to null without a logged-out event when the server knows no refresh token (401 invalid_refresh_token)', async () => {
    const { transport, sent } = scriptedTransport({ 'POST /auth/refresh': errorReply(401, 'invalid_refresh_token') });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport });
    const events: string[] = [];
    client.addEventListener('logged-out', (event) => events.push(event.reason));

    expect(await client.resume()).toBeNull();

    expect(sent).toEqual([{ method: 'POST', path: '/auth/refresh', authorization: null, credentials: 'include', body: undefined }]);
    expect(events).toEqual([]);
    expect(client.isLoggedIn).toBe(false);
  });

  it('resumes a session from the cookie', async () => {
    const { transport } = scriptedTransport({ 'POST /auth/refresh': tokenReply('sid-9') });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport });

    expect(await client.resume()).toMatchObject({ sessionId: 'sid-9', expiresIn: 900 });
    expect(client.isLoggedIn).toBe(true);
  });

  it('with body delivery and nothing stored, asks nothing and resolves to null', async () => {
    const { transport, sent } = scriptedTransport({});
    expect(await createAuthClient({ baseUrl: BASE, delivery: 'body', fetch: transport }).resume()).toBeNull();
    expect(sent).toEqual([]);
  });

  it('rejects on anything but "no session": network_error, service_unavailable', async () => {
    const offline = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    expect(await rejectionOf(offline.resume())).toMatchObject({ code: 'network_error', status: 0 });
    const { transport } = scriptedTransport({ 'POST /auth/refresh': errorReply(503, 'service_unavailable') });
    expect(await rejectionOf(createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport }).resume())).toMatchObject({
      code: 'service_unavailable',
      status: 503,
    });
  });
});

describe('sessions and /me', () => {
  const session = (id: string) => ({ id, created_at: '2026-01-01T00:00:00Z', last_used_at: '2026-01-01T00:01:00Z', expires_at: '2026-01-15T00:00:00Z', user_agent: null, ip: '192.0.2.1', current: id === 's1' });

  it('pages through sessions with the cursor, encoded', async () => {
    const { client, sent } = signedInClient({
      'GET /auth/sessions': { status: 200, json: { sessions: [session('s1')], next_cursor: 'a+b/c=' } },
      'GET /auth/sessions?cursor=a%2Bb%2Fc%3D': { status: 200, json: { sessions: [session('s2')] } },
    });

    const first = await client.listSessions();
    expect(first).toEqual({
      sessions: [{ id: 's1', createdAt: '2026-01-01T00:00:00Z', lastUsedAt: '2026-01-01T00:01:00Z', expiresAt: '2026-01-15T00:00:00Z', userAgent: null, ip: '192.0.2.1', current: true }],
      nextCursor: 'a+b/c=',
    });
    const second = await client.listSessions({ cursor: first.nextCursor! });
    expect(second).toEqual({ sessions: [expect.objectContaining({ id: 's2', current: false })] });
    expect('nextCursor' in second).toBe(false);
    expect(sent.map((request) => request.authorization)).toEqual([`Bearer ${accessToken('sid-1')}`, `Bearer ${accessToken('sid-1')}`]);
  });

  it('names an invalid cursor (400 invalid_request) and an answer off the contract (unexpected_response)', async () => {
    const { client } = signedInClient({
      'GET /auth/sessions?cursor=nope': errorReply(400, 'invalid_request'),
      'GET /auth/sessions': { status: 200, json: { sessions: [session('s1')], next_cursor: 7 } },
    });
    expect(await rejectionOf(client.listSessions({ cursor: 'nope' }))).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(await rejectionOf(client.listSessions())).toMatchObject({ code: 'unexpected_response' });
  });

  it('reads /me with email_verified and mfa_enabled', async () => {
    const { client, loggedOut } = signedInClient({
      'GET /me': [
        { status: 200, json: { id: 'user-1', email: 'a@example.com', email_verified: true, mfa_enabled: false, session_id: 'sid-1' } },
        { status: 200, json: { id: 'user-1', email: 'a@example.com', session_id: 'sid-1' } },
        errorReply(503, 'service_unavailable'),
      ],
    });
    expect(await client.me()).toEqual({ id: 'user-1', email: 'a@example.com', emailVerified: true, mfaEnabled: false, sessionId: 'sid-1' });
    expect(await rejectionOf(client.me())).toMatchObject({ code: 'unexpected_response' });
    expect(await rejectionOf(client.me())).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(loggedOut).toEqual([]);
  });

  it('/me answering 404 not_found (the account was deleted elsewhere) logs out with account-deleted and the error', async () => {
    const { client, storage } = signedInClient({ 'GET /me': errorReply(404, 'not_found') });
    const events: { reason: string; code: string | undefined }[] = [];
    client.addEventListener('logged-out', (event) => events.push({ reason: event.reason, code: event.error?.code }));

    expect(await rejectionOf(client.me())).toMatchObject({ code: 'not_found', status: 404 });

    expect(events).toEqual([{ reason: 'account-deleted', code: 'not_found' }]);
    expect(client.isLoggedIn).toBe(false);
    expect(storage.current).toBeNull();
  });
});

describe('roles and permissions of the current access token', () => {
  const tokenWith = (claims: Record<string, unknown>) => `${base64url({ alg: 'ES256', typ: 'at+jwt' })}.${base64url({ sub: 'user-1', sid: 'sid-7', ...claims })}.c2ln`;
  const resumedWith = async (claims: Record<string, unknown>) => {
    const { transport } = scriptedTransport({ 'POST /auth/refresh': { status: 200, json: { access_token: tokenWith(claims), token_type: 'Bearer', expires_in: 900, refresh_token_expires_in: 1209600 } } });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport });
    await client.resume();
    return client;
  };

  it('reads roles and the scope\'s permissions from the token the client holds', async () => {
    const client = await resumedWith({ roles: ['admin'], scope: 'audit:read users:read' });
    expect(client.roles).toEqual(['admin']);
    expect(client.permissions).toEqual(['audit:read', 'users:read']);
  });

  it('is [] signed out, for a token without them, and for claims of the wrong type', async () => {
    expect(createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: scriptedTransport({}).transport }).roles).toEqual([]);
    const without = await resumedWith({});
    expect([without.roles, without.permissions]).toEqual([[], []]);
    const wrong = await resumedWith({ roles: 'admin', scope: 7 });
    expect([wrong.roles, wrong.permissions]).toEqual([[], []]);
  });
});

describe('email and password', () => {
  it('verifies an email with the link token, without a session, an access token or the refresh cookie', async () => {
    const { transport, sent } = scriptedTransport({ 'POST /auth/email/verify': [{ status: 204 }, errorReply(400, 'invalid_one_time_token')] });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport });

    await client.verifyEmail('link-token');
    expect(sent[0]).toEqual({ method: 'POST', path: '/auth/email/verify', authorization: null, credentials: 'omit', body: { token: 'link-token' } });
    expect(await rejectionOf(client.verifyEmail('link-token'))).toMatchObject({ code: 'invalid_one_time_token', status: 400 });
  });

  it('asks for a verification email (access token) and reports the 429 with Retry-After', async () => {
    const { client, sent } = signedInClient({
      'POST /auth/email/verify-request': [{ status: 202, json: { status: 'accepted' } }, { ...errorReply(429, 'too_many_attempts'), headers: { 'Retry-After': '42' } }],
    });
    await client.requestVerificationEmail();
    expect(sent[0]).toMatchObject({ authorization: `Bearer ${accessToken('sid-1')}` });
    expect(await rejectionOf(client.requestVerificationEmail())).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 42 });
  });

  it('sends forgot and reset with the contract fields', async () => {
    const { transport, sent } = scriptedTransport({
      'POST /auth/password/forgot': { status: 202, json: { status: 'accepted' } },
      'POST /auth/password/reset': [{ status: 204 }, errorReply(400, 'invalid_one_time_token')],
    });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'body', fetch: transport });

    await client.forgotPassword('a@example.com');
    await client.resetPassword('reset-token', 'new password 123');
    expect(sent.map(({ path, body, authorization }) => ({ path, body, authorization }))).toEqual([
      { path: '/auth/password/forgot', body: { email: 'a@example.com' }, authorization: null },
      { path: '/auth/password/reset', body: { token: 'reset-token', password: 'new password 123' }, authorization: null },
    ]);
    expect(await rejectionOf(client.resetPassword('used', 'new password 123'))).toMatchObject({ code: 'invalid_one_time_token' });
  });

  it('changes the password and keeps the session', async () => {
    const { client, sent, loggedOut } = signedInClient({ 'POST /auth/password/change': [{ status: 204 }, errorReply(401, 'invalid_credentials')] });
    await client.changePassword('old password', 'new password 123');
    expect(sent[0]).toMatchObject({ body: { current_password: 'old password', new_password: 'new password 123' }, authorization: `Bearer ${accessToken('sid-1')}` });
    expect(client.isLoggedIn).toBe(true);
    expect(loggedOut).toEqual([]);
    expect(await rejectionOf(client.changePassword('wrong', 'new password 123'))).toMatchObject({ code: 'invalid_credentials', status: 401 });
  });

  it('deletes the account: DELETE /me with the password, then logged out (account-deleted)', async () => {
    const { client, sent, loggedOut, storage } = signedInClient({ 'DELETE /me': { status: 204 } });
    await client.deleteAccount('my password');
    expect(sent).toEqual([{ method: 'DELETE', path: '/me', authorization: `Bearer ${accessToken('sid-1')}`, credentials: 'same-origin', body: { password: 'my password' } }]);
    expect(loggedOut).toEqual(['account-deleted']);
    expect(storage.current).toBeNull();
  });

  it('keeps the session when the deletion is refused (invalid_credentials)', async () => {
    const { client, loggedOut } = signedInClient({ 'DELETE /me': errorReply(401, 'invalid_credentials') });
    expect(await rejectionOf(client.deleteAccount('wrong'))).toMatchObject({ code: 'invalid_credentials' });
    expect(client.isLoggedIn).toBe(true);
    expect(loggedOut).toEqual([]);
  });
});

describe('login with a second factor', () => {
  const mfaRequired = errorReply(403, 'mfa_required', { mfa_token: 'mfa-token-1', expires_in: 300 });

  function signedOutClient(routes: Record<string, Route | Route[]>, options: Partial<AuthClientOptions> = {}) {
    const scripted = scriptedTransport(routes);
    const client = createAuthClient({ baseUrl: BASE, delivery: 'body', fetch: scripted.transport, now: () => NOW, ...options });
    return { client, ...scripted };
  }

  it('without a prompt, rejects with mfa_required and the challenge; verifyMfa with a recovery code finishes the login', async () => {
    const { client, sent } = signedOutClient({ 'POST /auth/login': mfaRequired, 'POST /auth/mfa/verify': tokenReply('sid-2', 'refresh-2') });

    const refusal = await rejectionOf(client.login({ email: 'a@example.com', password: 'pw 12345' }));
    expect(refusal).toMatchObject({ code: 'mfa_required', status: 403 });
    expect(refusal.mfaChallenge).toEqual({ mfaToken: 'mfa-token-1', expiresIn: 300, expiresAt: NOW + 300_000 });
    expect(client.isLoggedIn).toBe(false);

    const tokens = await client.verifyMfa(refusal.mfaChallenge!, { recoveryCode: 'abcd-efgh' });
    expect(tokens.sessionId).toBe('sid-2');
    expect(sent[1]).toEqual({ method: 'POST', path: '/auth/mfa/verify', authorization: null, credentials: 'omit', body: { mfa_token: 'mfa-token-1', recovery_code: 'abcd-efgh' } });
    expect(client.isLoggedIn).toBe(true);
  });

  it('asks the prompt again after a wrong code, with the refusal, and logs in with the next one', async () => {
    const { client, sent } = signedOutClient(
      { 'POST /auth/login': mfaRequired, 'POST /auth/mfa/verify': [errorReply(401, 'invalid_mfa_code'), tokenReply('sid-3')] },
      { delivery: 'cookie' },
    );
    const asked: { challenge: MfaChallenge; previous: string | undefined }[] = [];
    const codes = ['000000', '123456'];
    const loggedIn: string[] = [];
    client.addEventListener('logged-in', (event) => loggedIn.push(event.tokens.sessionId!));

    const tokens = await client.login(
      { email: 'a@example.com', password: 'pw 12345' },
      {
        mfa: async (challenge, previousError) => {
          asked.push({ challenge, previous: previousError?.code });
          return { code: codes.shift()! };
        },
      },
    );

    expect(tokens.sessionId).toBe('sid-3');
    expect(loggedIn).toEqual(['sid-3']);
    expect(asked.map((entry) => entry.previous)).toEqual([undefined, 'invalid_mfa_code']);
    expect(asked[0]!.challenge.mfaToken).toBe('mfa-token-1');
    expect(sent.filter((request) => request.path === '/auth/mfa/verify').map((request) => [request.body, request.credentials])).toEqual([
      [{ mfa_token: 'mfa-token-1', code: '000000' }, 'include'],
      [{ mfa_token: 'mfa-token-1', code: '123456' }, 'include'],
    ]);
  });

  it('stops asking once the MFA token is dead (invalid_mfa_token), and when the prompt gives up', async () => {
    const { client } = signedOutClient(
      { 'POST /auth/login': [mfaRequired, mfaRequired], 'POST /auth/mfa/verify': errorReply(401, 'invalid_mfa_token') },
      { onMfaRequired: async () => ({ code: '111111' }) },
    );
    expect(await rejectionOf(client.login({ email: 'a@example.com', password: 'pw 12345' }))).toMatchObject({ code: 'invalid_mfa_token', status: 401 });

    const cancelled = new AuthError('not_authenticated', 'The person cancelled.');
    await expect(client.login({ email: 'a@example.com', password: 'pw 12345' }, { mfa: () => Promise.reject(cancelled) })).rejects.toBe(cancelled);
    expect(client.isLoggedIn).toBe(false);
  });

  it('passes other login refusals through: email_not_verified', async () => {
    const { client } = signedOutClient({ 'POST /auth/login': errorReply(403, 'email_not_verified') }, { onMfaRequired: async () => ({ code: '1' }) });
    const refusal = await rejectionOf(client.login({ email: 'a@example.com', password: 'pw 12345' }));
    expect(refusal).toMatchObject({ code: 'email_not_verified', status: 403 });
    expect(refusal.mfaChallenge).toBeUndefined();
  });
});

describe('TOTP enrolment', () => {
  it('sets up, confirms, regenerates and disables with the contract fields', async () => {
    const codes = Array.from({ length: 10 }, (_, index) => `code-${index}`);
    const { client, sent } = signedInClient({
      'POST /auth/mfa/totp/setup': { status: 200, json: { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x', qr_svg: '<svg/>' } },
      'POST /auth/mfa/totp/confirm': { status: 200, json: { recovery_codes: codes } },
      'POST /auth/mfa/recovery-codes': { status: 200, json: { recovery_codes: codes.slice().reverse() } },
      'POST /auth/mfa/totp/disable': [{ status: 204 }, { status: 204 }, { status: 204 }],
    });

    expect(await client.totpSetup()).toEqual({ secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/x', qrSvg: '<svg/>' });
    expect(await client.totpConfirm('123456')).toEqual(codes);
    expect(await client.regenerateRecoveryCodes('my password')).toEqual(codes.slice().reverse());
    await client.totpDisable('my password', '654321');
    await client.totpDisable('my password', { code: '111111' });
    await client.totpDisable('my password', { recoveryCode: 'abcde-fghjk' });

    expect(sent.map(({ path, body }) => [path, body])).toEqual([
      ['/auth/mfa/totp/setup', undefined],
      ['/auth/mfa/totp/confirm', { code: '123456' }],
      ['/auth/mfa/recovery-codes', { password: 'my password' }],
      ['/auth/mfa/totp/disable', { password: 'my password', code: '654321' }],
      ['/auth/mfa/totp/disable', { password: 'my password', code: '111111' }],
      ['/auth/mfa/totp/disable', { password: 'my password', recovery_code: 'abcde-fghjk' }],
    ]);
    expect(new Set(sent.map((request) => request.authorization))).toEqual(new Set([`Bearer ${accessToken('sid-1')}`]));
  });

  it('names mfa_already_enabled and invalid_mfa_code', async () => {
    const { client } = signedInClient({
      'POST /auth/mfa/totp/setup': errorReply(409, 'mfa_already_enabled'),
      'POST /auth/mfa/totp/confirm': errorReply(401, 'invalid_mfa_code'),
    });
    expect(await rejectionOf(client.totpSetup())).toMatchObject({ code: 'mfa_already_enabled', status: 409 });
    expect(await rejectionOf(client.totpConfirm('000000'))).toMatchObject({ code: 'invalid_mfa_code', status: 401 });
  });
});

describe('passkeys', () => {
  const creationOptions = { challenge: 'reg-challenge', rp: { name: 'Auth', id: 'localhost' }, user: { id: 'dXNlcg', name: 'a@example.com', displayName: 'a' }, pubKeyCredParams: [] };
  const requestOptions = { challenge: 'login-challenge', rpId: 'localhost', allowCredentials: [], userVerification: 'required' };
  const attestation = { id: 'cred-1', rawId: 'cred-1', type: 'public-key', response: { clientDataJSON: 'x', attestationObject: 'y' }, clientExtensionResults: {} };
  const assertion = { id: 'cred-1', rawId: 'cred-1', type: 'public-key', response: { clientDataJSON: 'x', authenticatorData: 'y', signature: 'z' }, clientExtensionResults: {} };

  function fakeAuthenticator() {
    const seen: { registration?: unknown; authentication?: unknown } = {};
    const webauthn: WebAuthnAdapter = {
      startRegistration: async ({ optionsJSON }) => ((seen.registration = optionsJSON), attestation),
      startAuthentication: async ({ optionsJSON }) => ((seen.authentication = optionsJSON), assertion),
    };
    return { webauthn, seen };
  }

  it('registers a passkey: the server options go to the browser, its answer and the name to verify', async () => {
    const { webauthn, seen } = fakeAuthenticator();
    const { client, sent } = signedInClient(
      {
        'POST /auth/passkeys/register/options': { status: 200, json: creationOptions },
        'POST /auth/passkeys/register/verify': { status: 201, json: { id: 'pk-1', name: 'Laptop', created_at: '2026-01-01T00:00:00Z' } },
      },
      { webauthn },
    );

    expect(await client.registerPasskey('Laptop')).toEqual({ id: 'pk-1', name: 'Laptop', createdAt: '2026-01-01T00:00:00Z' });
    expect(seen.registration).toEqual(creationOptions);
    expect(sent[1]).toMatchObject({ body: { response: attestation, name: 'Laptop' }, authorization: `Bearer ${accessToken('sid-1')}` });
  });

  it('logs in with a passkey: challenge id and assertion to verify, with the client delivery', async () => {
    const { webauthn, seen } = fakeAuthenticator();
    const { transport, sent } = scriptedTransport({
      'POST /auth/passkeys/login/options': { status: 200, json: { challenge_id: 'ch-1', options: requestOptions } },
      'POST /auth/passkeys/login/verify': tokenReply('sid-4'),
    });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport, webauthn });

    expect((await client.loginWithPasskey('a@example.com')).sessionId).toBe('sid-4');
    expect(seen.authentication).toEqual(requestOptions);
    expect(sent.map(({ path, body, credentials }) => ({ path, body, credentials }))).toEqual([
      { path: '/auth/passkeys/login/options', body: { email: 'a@example.com' }, credentials: 'omit' },
      { path: '/auth/passkeys/login/verify', body: { challenge_id: 'ch-1', response: assertion, refresh_token_delivery: 'cookie' }, credentials: 'include' },
    ]);
    expect(client.isLoggedIn).toBe(true);
  });

  it('asks for discoverable credentials without an email, and names a refused assertion (invalid_passkey)', async () => {
    const { webauthn } = fakeAuthenticator();
    const { transport, sent } = scriptedTransport({
      'POST /auth/passkeys/login/options': { status: 200, json: { challenge_id: 'ch-2', options: requestOptions } },
      'POST /auth/passkeys/login/verify': errorReply(401, 'invalid_passkey'),
    });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'body', fetch: transport, webauthn });

    expect(await rejectionOf(client.loginWithPasskey())).toMatchObject({ code: 'invalid_passkey', status: 401 });
    expect(sent[0]!.body).toEqual({});
    expect(client.isLoggedIn).toBe(false);
  });

  it('lists and deletes passkeys', async () => {
    const { client, sent } = signedInClient({
      'GET /auth/passkeys': { status: 200, json: { passkeys: [{ id: 'pk/1', name: 'Laptop', created_at: '2026-01-01T00:00:00Z', last_used_at: null }] } },
      'DELETE /auth/passkeys/pk%2F1': [{ status: 204 }, errorReply(404, 'not_found')],
    });
    const passkeys = await client.listPasskeys();
    expect(passkeys).toEqual([{ id: 'pk/1', name: 'Laptop', createdAt: '2026-01-01T00:00:00Z', lastUsedAt: null }]);
    await client.deletePasskey(passkeys[0]!.id);
    expect(await rejectionOf(client.deletePasskey(passkeys[0]!.id))).toMatchObject({ code: 'not_found', status: 404 });
    expect(sent.map((request) => request.method)).toEqual(['GET', 'DELETE', 'DELETE']);
  });

  it('needs the webauthn adapter for the ceremonies (TypeError), before anything is sent', async () => {
    const { client, sent } = signedInClient({ 'POST /auth/passkeys/register/options': { status: 200, json: creationOptions } });
    await expect(client.registerPasskey()).rejects.toThrow(TypeError);
    await expect(client.reauthenticateWithPasskey()).rejects.toThrow(TypeError);
    expect(sent).toEqual([]);
  });

  it('checks the name before the ceremony: too long or with control or direction marks is invalid_request, and nothing is sent or created', async () => {
    const { webauthn, seen } = fakeAuthenticator();
    const { client, sent } = signedInClient({}, { webauthn });

    const tooLong = await rejectionOf(client.registerPasskey('x'.repeat(65)));
    expect(tooLong).toMatchObject({ code: 'invalid_request', status: 0 });
    expect(tooLong.message).toMatch(/at most 64 characters/);
    expect(await rejectionOf(client.registerPasskey('Laptop\u202Egnp.exe'))).toMatchObject({ code: 'invalid_request', status: 0 });
    expect(await rejectionOf(client.registerPasskey('Lap\ntop'))).toMatchObject({ code: 'invalid_request', status: 0 });

    expect(sent).toEqual([]);
    expect(seen.registration).toBeUndefined();
  });

  it('counts the name in code points after trimming, as the service does, and sends the trimmed name', async () => {
    expect(checkPasskeyName('   ')).toBeUndefined();
    expect(checkPasskeyName(undefined)).toBeUndefined();
    expect(checkPasskeyName(`  ${'🔑'.repeat(64)}  `)).toBe('🔑'.repeat(64));
    expect(() => checkPasskeyName('🔑'.repeat(65))).toThrow(AuthError);

    const { webauthn } = fakeAuthenticator();
    const { client, sent } = signedInClient(
      {
        'POST /auth/passkeys/register/options': { status: 200, json: creationOptions },
        'POST /auth/passkeys/register/verify': { status: 201, json: { id: 'pk-1', name: 'Laptop', created_at: '2026-01-01T00:00:00Z' } },
      },
      { webauthn },
    );
    await client.registerPasskey('  Laptop ');
    expect(sent[1]!.body).toMatchObject({ name: 'Laptop' });
  });

  it('names a registration refused before the ceremony (email_not_verified, reauthentication_required), and starts no ceremony', async () => {
    const { webauthn, seen } = fakeAuthenticator();
    const { client } = signedInClient(
      { 'POST /auth/passkeys/register/options': [errorReply(403, 'email_not_verified'), errorReply(403, 'reauthentication_required')] },
      { webauthn },
    );
    expect(await rejectionOf(client.registerPasskey('Laptop'))).toMatchObject({ code: 'email_not_verified', status: 403 });
    expect(await rejectionOf(client.registerPasskey('Laptop'))).toMatchObject({ code: 'reauthentication_required', status: 403 });
    expect(seen.registration).toBeUndefined();
    expect(client.isLoggedIn).toBe(true);
  });
});

describe('re-authentication', () => {
  const reauthReply = (sid: string): Reply => ({ status: 200, json: { access_token: accessToken(sid), token_type: 'Bearer', expires_in: 600 } });

  it('sends the password and a code, adopts the new access token for the next calls, and keeps the refresh token', async () => {
    const { client, sent, storage } = signedInClient({
      'POST /auth/reauthenticate': reauthReply('sid-1b'),
      'POST /auth/mfa/totp/setup': { status: 200, json: { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x', qr_svg: '<svg/>' } },
    });
    const events: unknown[] = [];
    client.addEventListener('reauthenticated', (event) => events.push(event.tokens));

    const tokens = await client.reauthenticate({ password: 'my password', code: '123456' });
    await client.totpSetup();

    expect(tokens).toEqual({ expiresIn: 600, expiresAt: NOW + 600_000, sessionId: 'sid-1b' });
    expect(events).toEqual([tokens]);
    expect(sent.map(({ path, body, authorization }) => ({ path, body, authorization }))).toEqual([
      { path: '/auth/reauthenticate', body: { password: 'my password', code: '123456' }, authorization: `Bearer ${accessToken('sid-1')}` },
      { path: '/auth/mfa/totp/setup', body: undefined, authorization: `Bearer ${accessToken('sid-1b')}` },
    ]);
    expect(storage.current).toEqual({ accessToken: accessToken('sid-1b'), expiresAt: NOW + 600_000, refreshAt: NOW + 570_000, refreshToken: 'refresh-1' });
  });

  it('sends a recovery code as recovery_code, and the password alone when there is no code', async () => {
    const { client, sent } = signedInClient({ 'POST /auth/reauthenticate': [reauthReply('sid-1'), reauthReply('sid-1')] });
    await client.reauthenticate({ password: 'my password', recoveryCode: 'abcde-fghjk' });
    await client.reauthenticate({ password: 'my password' });
    expect(sent.map((request) => request.body)).toEqual([{ password: 'my password', recovery_code: 'abcde-fghjk' }, { password: 'my password' }]);
  });

  it('names each refusal, keeps the session and never refreshes on them: invalid_credentials, invalid_mfa_code, invalid_request, too_many_attempts', async () => {
    const { client, sent, loggedOut } = signedInClient({
      'POST /auth/reauthenticate': [
        errorReply(401, 'invalid_credentials'),
        errorReply(401, 'invalid_mfa_code'),
        errorReply(400, 'invalid_request'),
        { ...errorReply(429, 'too_many_attempts'), headers: { 'Retry-After': '900' } },
      ],
    });
    expect(await rejectionOf(client.reauthenticate({ password: 'wrong' }))).toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(await rejectionOf(client.reauthenticate({ password: 'right', code: '000000' }))).toMatchObject({ code: 'invalid_mfa_code', status: 401 });
    expect(await rejectionOf(client.reauthenticate({ password: 'right' }))).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(await rejectionOf(client.reauthenticate({ password: 'right' }))).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 900 });
    expect(sent.map((request) => request.path)).toEqual(Array(4).fill('/auth/reauthenticate'));
    expect(client.isLoggedIn).toBe(true);
    expect(loggedOut).toEqual([]);
  });

  it('needs a session: not_authenticated, and nothing is sent', async () => {
    const { transport, sent } = scriptedTransport({});
    const client = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport });
    expect(await rejectionOf(client.reauthenticate({ password: 'my password' }))).toMatchObject({ code: 'not_authenticated' });
    expect(sent).toEqual([]);
  });

  it('does not bring back a session that was logged out while it was re-authenticating', async () => {
    const scripted = scriptedTransport({ 'POST /auth/reauthenticate': reauthReply('sid-1'), 'POST /auth/logout': { status: 204 } });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding: Transport = async (request) => {
      if (request.url.endsWith('/auth/reauthenticate')) await held;
      return scripted.transport(request);
    };
    const { client, storage } = signedInClient({}, { fetch: holding });

    const pending = client.reauthenticate({ password: 'my password' });
    await client.logout();
    release();

    expect(await rejectionOf(pending)).toMatchObject({ code: 'not_authenticated' });
    expect(client.isLoggedIn).toBe(false);
    expect(storage.current).toBeNull();
  });

  it('with a passkey: that account\'s options, the ceremony, then the challenge id and assertion', async () => {
    const requestOptions = { challenge: 'reauth-challenge', rpId: 'localhost', allowCredentials: [{ id: 'cred-1', type: 'public-key' }] };
    const assertion = { id: 'cred-1', rawId: 'cred-1', type: 'public-key', response: {}, clientExtensionResults: {} };
    const seen: unknown[] = [];
    const webauthn: WebAuthnAdapter = {
      startRegistration: () => Promise.reject(new Error('not used')),
      startAuthentication: async ({ optionsJSON }) => (seen.push(optionsJSON), assertion),
    };
    const { client, sent } = signedInClient(
      { 'POST /auth/passkeys/login/options': { status: 200, json: { challenge_id: 'ch-9', options: requestOptions } }, 'POST /auth/reauthenticate': reauthReply('sid-1') },
      { webauthn },
    );

    expect((await client.reauthenticateWithPasskey('a@example.com')).sessionId).toBe('sid-1');
    expect(seen).toEqual([requestOptions]);
    expect(sent.map(({ path, body, authorization }) => ({ path, body, authorization }))).toEqual([
      { path: '/auth/passkeys/login/options', body: { email: 'a@example.com' }, authorization: null },
      { path: '/auth/reauthenticate', body: { challenge_id: 'ch-9', response: assertion }, authorization: `Bearer ${accessToken('sid-1')}` },
    ]);
  });

  it('names the sensitive-change refusals: reauthentication_required and email_not_verified are service codes, not a bare forbidden', async () => {
    const { client } = signedInClient({
      'POST /auth/mfa/totp/setup': [errorReply(403, 'reauthentication_required'), errorReply(403, 'email_not_verified')],
      'DELETE /auth/passkeys/pk-1': errorReply(403, 'reauthentication_required'),
    });
    expect(await rejectionOf(client.totpSetup())).toMatchObject({ code: 'reauthentication_required', status: 403 });
    expect(await rejectionOf(client.totpSetup())).toMatchObject({ code: 'email_not_verified', status: 403 });
    expect(await rejectionOf(client.deletePasskey('pk-1'))).toMatchObject({ code: 'reauthentication_required', status: 403 });
    expect(client.isLoggedIn).toBe(true);
  });
});

describe('factor notices', () => {
  it('reports a factor with the link token, without a session, an access token or the refresh cookie', async () => {
    const { transport, sent } = scriptedTransport({ 'POST /auth/factors/report': [{ status: 204 }, errorReply(400, 'invalid_one_time_token')] });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'cookie', fetch: transport });

    await client.reportFactor('notice-token');
    expect(sent[0]).toEqual({ method: 'POST', path: '/auth/factors/report', authorization: null, credentials: 'omit', body: { token: 'notice-token' } });
    expect(await rejectionOf(client.reportFactor('notice-token'))).toMatchObject({ code: 'invalid_one_time_token', status: 400 });
  });
});

describe('which 401 means "refresh and retry"', () => {
  it('refreshes and retries after the authorizer refused the token, not after a handler refused the request', async () => {
    const { client, sent } = signedInClient({
      'GET /me': [{ status: 401, json: { statusCode: 401, error: 'Unauthorized', message: 'Unauthorized' } }, { status: 200, json: {} }],
      'POST /auth/refresh': tokenReply('sid-1', 'refresh-2'),
      'POST /auth/mfa/totp/confirm': errorReply(401, 'invalid_mfa_code'),
    });

    expect((await client.fetch('/me')).status).toBe(200);
    expect(await rejectionOf(client.totpConfirm('000000'))).toMatchObject({ code: 'invalid_mfa_code', status: 401 });
    expect(sent.map(({ method, path }) => `${method} ${path}`)).toEqual(['GET /me', 'POST /auth/refresh', 'GET /me', 'POST /auth/mfa/totp/confirm']);
  });
});

describe('security events', () => {
  const event = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    type: 'login_succeeded',
    time: '2026-01-01T00:00:00.000Z',
    user_id: 'user-1',
    actor_id: null,
    session_id: 'sid-1',
    ip: '192.0.2.1',
    user_agent: 'Firefox',
    details: { method: 'password', amr: 'pwd' },
    ...extra,
  });

  it('pages through the caller\'s own events with the cursor, encoded, in camelCase', async () => {
    const { client, sent } = signedInClient({
      'GET /me/security-events': { status: 200, json: { events: [event('e1')], next_cursor: 'a+b/c=' } },
      'GET /me/security-events?cursor=a%2Bb%2Fc%3D': {
        status: 200,
        json: { events: [event('e2', { type: 'roles_changed', actor_id: 'admin-1', session_id: null, ip: null, user_agent: null, details: { roles_before: '', roles_after: 'admin', sessions_ended: 0 } })] },
      },
    });

    const first = await client.listSecurityEvents();
    expect(first).toEqual({
      events: [{ id: 'e1', type: 'login_succeeded', time: '2026-01-01T00:00:00.000Z', userId: 'user-1', actorId: null, sessionId: 'sid-1', ip: '192.0.2.1', userAgent: 'Firefox', details: { method: 'password', amr: 'pwd' } }],
      nextCursor: 'a+b/c=',
    });
    const second = await client.listSecurityEvents({ cursor: first.nextCursor! });
    expect(second).toEqual({
      events: [expect.objectContaining({ type: 'roles_changed', actorId: 'admin-1', sessionId: null, ip: null, userAgent: null, details: { rolesBefore: '', rolesAfter: 'admin', sessionsEnded: 0 } })],
    });
    expect('nextCursor' in second).toBe(false);
    expect(sent.map((request) => request.authorization)).toEqual([`Bearer ${accessToken('sid-1')}`, `Bearer ${accessToken('sid-1')}`]);
  });

  it('names an invalid cursor (400 invalid_request) and an event off the contract (unexpected_response)', async () => {
    const { client } = signedInClient({
      'GET /me/security-events?cursor=nope': errorReply(400, 'invalid_request'),
      'GET /me/security-events': [{ status: 200, json: { events: [event('e1', { user_id: undefined })] } }, { status: 200, json: { events: [], next_cursor: 3 } }],
    });
    expect(await rejectionOf(client.listSecurityEvents({ cursor: 'nope' }))).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(await rejectionOf(client.listSecurityEvents())).toMatchObject({ code: 'unexpected_response' });
    expect(await rejectionOf(client.listSecurityEvents())).toMatchObject({ code: 'unexpected_response' });
  });
});

describe('a disabled account', () => {
  it('names a login refused with 403 account_disabled and holds no session', async () => {
    const { transport } = scriptedTransport({ 'POST /auth/login': errorReply(403, 'account_disabled') });
    const client = createAuthClient({ baseUrl: BASE, delivery: 'body', fetch: transport, onMfaRequired: () => Promise.reject(new Error('not asked')) });
    expect(await rejectionOf(client.login({ email: 'a@example.com', password: 'pw' }))).toMatchObject({ code: 'account_disabled', status: 403 });
    expect(client.isLoggedIn).toBe(false);
  });

  it('/me answering 403 account_disabled logs out with account-disabled and the error', async () => {
    const { client, storage } = signedInClient({ 'GET /me': errorReply(403, 'account_disabled') });
    const events: { reason: string; code: string | undefined }[] = [];
    client.addEventListener('logged-out', (event) => events.push({ reason: event.reason, code: event.error?.code }));

    expect(await rejectionOf(client.me())).toMatchObject({ code: 'account_disabled', status: 403 });

    expect(events).toEqual([{ reason: 'account-disabled', code: 'account_disabled' }]);
    expect(client.isLoggedIn).toBe(false);
    expect(storage.current).toBeNull();
  });
});

describe('admin API', () => {
  const user = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    email: `${id}@example.com`,
    email_verified: true,
    roles: [],
    disabled: false,
    mfa_enabled: true,
    created_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  });
  const camel = (id: string) => ({ id, email: `${id}@example.com`, emailVerified: true, roles: [], disabled: false, mfaEnabled: true, createdAt: '2026-01-01T00:00:00.000Z' });

  it('lists users with email_prefix and cursor, encoded, with the access token', async () => {
    const { client, sent } = signedInClient({
      'GET /admin/users?email_prefix=a%2Bb%40': { status: 200, json: { users: [user('u1')], next_cursor: 'c/1=' } },
      'GET /admin/users?email_prefix=a%2Bb%40&cursor=c%2F1%3D': { status: 200, json: { users: [] } },
      'GET /admin/users': { status: 200, json: { users: [user('u2', { roles: ['admin'], disabled: true })] } },
    });
    const first = await client.admin.listUsers({ emailPrefix: 'a+b@' });
    expect(first).toEqual({ users: [camel('u1')], nextCursor: 'c/1=' });
    expect(await client.admin.listUsers({ emailPrefix: 'a+b@', cursor: first.nextCursor! })).toEqual({ users: [] });
    expect(await client.admin.listUsers()).toEqual({ users: [{ ...camel('u2'), roles: ['admin'], disabled: true }] });
    expect(sent.every((request) => request.authorization === `Bearer ${accessToken('sid-1')}`)).toBe(true);
  });

  it('reads one user with the passkey and live session counts; an unknown id is 404 not_found, and the client stays signed in', async () => {
    const { client, sent, loggedOut } = signedInClient({
      'GET /admin/users/u%2F1': { status: 200, json: { ...user('u/1'), passkey_count: 2, live_session_count: 3 } },
      'GET /admin/users/gone': errorReply(404, 'not_found'),
      'GET /admin/users/odd': { status: 200, json: user('odd') },
    });
    expect(await client.admin.getUser('u/1')).toEqual({ ...camel('u/1'), passkeyCount: 2, liveSessionCount: 3 });
    expect(await rejectionOf(client.admin.getUser('gone'))).toMatchObject({ code: 'not_found', status: 404 });
    expect(await rejectionOf(client.admin.getUser('odd'))).toMatchObject({ code: 'unexpected_response' });
    expect(sent.map((request) => request.path)).toEqual(['/admin/users/u%2F1', '/admin/users/gone', '/admin/users/odd']);
    expect([client.isLoggedIn, loggedOut]).toEqual([true, []]);
  });

  it('replaces roles with PUT { roles } and answers the account; taking admin from oneself is 409 cannot_modify_self', async () => {
    const { client, sent } = signedInClient({
      'PUT /admin/users/u1/roles': [{ status: 200, json: user('u1', { roles: ['admin', 'support'] }) }, errorReply(409, 'cannot_modify_self')],
    });
    expect(await client.admin.setUserRoles('u1', ['admin', 'support'])).toEqual({ ...camel('u1'), roles: ['admin', 'support'] });
    expect(await rejectionOf(client.admin.setUserRoles('u1', []))).toMatchObject({ code: 'cannot_modify_self', status: 409 });
    expect(sent.map((request) => request.body)).toEqual([{ roles: ['admin', 'support'] }, { roles: [] }]);
  });

  it('disables, enables, signs out and deletes with the contract methods (204); self is 409 cannot_modify_self', async () => {
    const { client, sent } = signedInClient({
      'POST /admin/users/u1/disable': [{ status: 204 }, errorReply(409, 'cannot_modify_self')],
      'POST /admin/users/u1/enable': { status: 204 },
      'POST /admin/users/u1/sign-out': { status: 204 },
      'DELETE /admin/users/u1': [{ status: 204 }, errorReply(409, 'cannot_modify_self')],
    });
    await client.admin.disableUser('u1');
    await client.admin.enableUser('u1');
    await client.admin.signOutUser('u1');
    await client.admin.deleteUser('u1');
    expect(await rejectionOf(client.admin.disableUser('u1'))).toMatchObject({ code: 'cannot_modify_self', status: 409 });
    expect(await rejectionOf(client.admin.deleteUser('u1'))).toMatchObject({ code: 'cannot_modify_self', status: 409 });
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /admin/users/u1/disable',
      'POST /admin/users/u1/enable',
      'POST /admin/users/u1/sign-out',
      'DELETE /admin/users/u1',
      'POST /admin/users/u1/disable',
      'DELETE /admin/users/u1',
    ]);
  });

  it('reads the audit trail filtered by user_id and type, paged, in camelCase', async () => {
    const audited = { id: 'e1', type: 'account_disabled', time: '2026-01-01T00:00:00.000Z', user_id: 'u1', actor_id: 'admin-1', session_id: null, ip: '192.0.2.9', user_agent: null, details: { sessions_ended: 2 } };
    const { client } = signedInClient({
      'GET /admin/audit?user_id=u1&type=account_disabled': { status: 200, json: { events: [audited], next_cursor: 'n' } },
      'GET /admin/audit?user_id=u1&type=account_disabled&cursor=n': { status: 200, json: { events: [] } },
      'GET /admin/audit?type=nope': errorReply(400, 'invalid_request'),
    });
    const first = await client.admin.listAudit({ userId: 'u1', type: 'account_disabled' });
    expect(first).toEqual({
      events: [{ id: 'e1', type: 'account_disabled', time: '2026-01-01T00:00:00.000Z', userId: 'u1', actorId: 'admin-1', sessionId: null, ip: '192.0.2.9', userAgent: null, details: { sessionsEnded: 2 } }],
      nextCursor: 'n',
    });
    expect(await client.admin.listAudit({ userId: 'u1', type: 'account_disabled', cursor: 'n' })).toEqual({ events: [] });
    expect(await rejectionOf(client.admin.listAudit({ type: 'nope' as 'logout' }))).toMatchObject({ code: 'invalid_request', status: 400 });
  });

  it('names the refusals: 403 access_denied, 403 mfa_required_for_admin (service codes, not a bare forbidden), and a gateway 403 without a code as forbidden', async () => {
    const { client, loggedOut } = signedInClient({
      'GET /admin/users': [errorReply(403, 'access_denied'), errorReply(403, 'mfa_required_for_admin'), { status: 403, json: { message: 'Forbidden' } }],
    });
    expect(await rejectionOf(client.admin.listUsers())).toMatchObject({ code: 'access_denied', status: 403 });
    expect(await rejectionOf(client.admin.listUsers())).toMatchObject({ code: 'mfa_required_for_admin', status: 403 });
    expect(await rejectionOf(client.admin.listUsers())).toMatchObject({ code: 'forbidden', status: 403 });
    expect([client.isLoggedIn, loggedOut]).toEqual([true, []]);
  });
});
