import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { bearer, call, type HttpResult } from '../support/http';
import { loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { createSoftAuthenticator, type AssertionOverrides, type SoftAuthenticator } from '../support/soft-authenticator';
import { registerVerified } from '../support/e2e-accounts';

// Passkeys over HTTP: serverless-offline, DynamoDB Local and a software authenticator for the
// server's own origin (WEBAUTHN_ORIGINS defaults to http://localhost:<PORT> locally, RP id localhost).
describe('passkeys over HTTP', () => {
  const spec = loadOpenApi();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  let origin: string;
  beforeAll(async () => {
    server = await startTestServer();
    base = server.baseUrl;
    origin = `http://localhost:${server.port}`;
  });
  afterAll(() => server?.stop());

  type Options = Parameters<typeof call>[3];

  /** Sends a request; expects the status, a body that conforms to docs/openapi.yaml, and never a 500. */
  const expectResponse = async (status: number, method: string, path: string, options: Options = {}): Promise<HttpResult> => {
    const result = await call(base, method, path, options);
    const problems = spec.validateResponse(method, path, result.status, result.body, result.headers);
    expect({ status: result.status, problems }).toEqual({ status, problems: [] });
    return result;
  };
  const expectInvalidPasskey = async (path: string, options: Options) => {
    const result = await expectResponse(401, 'POST', path, options);
    expect(result.body).toEqual({ error: 'invalid_passkey', message: expect.any(String) });
  };
  const expectInvalidRequest = async (path: string, options: Options) => {
    const result = await expectResponse(400, 'POST', path, options);
    expect(result.body).toMatchObject({ error: 'invalid_request' });
  };

  /** A verified account (adding a passkey needs one), signed in with its password. */
  const signedIn = async () => {
    const email = uniqueEmail('passkey');
    await registerVerified(base, email);
    const login = await expectResponse(200, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    return { email, accessToken: login.body.access_token as string, authenticator: createSoftAuthenticator({ rpId: 'localhost', origin }) };
  };
  const creationOptions = async (accessToken: string) =>
    (await expectResponse(200, 'POST', '/auth/passkeys/register/options', { headers: bearer(accessToken) })).body as PublicKeyCredentialCreationOptionsJSON;
  const registerPasskey = async (account: { accessToken: string; authenticator: SoftAuthenticator }, name?: string) => {
    const response = account.authenticator.register(await creationOptions(account.accessToken));
    return (await expectResponse(201, 'POST', '/auth/passkeys/register/verify', { headers: bearer(account.accessToken), json: { response, ...(name ? { name } : {}) } })).body;
  };
  const loginOptions = async (json: Record<string, unknown> = {}) =>
    (await expectResponse(200, 'POST', '/auth/passkeys/login/options', { json })).body as { challenge_id: string; options: PublicKeyCredentialRequestOptionsJSON };
  const assertion = async (authenticator: SoftAuthenticator, overrides?: AssertionOverrides) => {
    const { challenge_id, options } = await loginOptions();
    return { challenge_id, response: authenticator.assert(options, overrides) };
  };
  const claimsOf = (accessToken: string) => JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

  it('registers a passkey, lists it, logs in with it usernameless (amr hwk user: no mfa while it is on probation) and refreshes', async () => {
    const account = await signedIn();
    const created = await registerPasskey(account, 'Laptop');
    expect(created).toEqual({ id: account.authenticator.credentials[0]!.id, name: 'Laptop', created_at: expect.any(String) });

    const listed = await expectResponse(200, 'GET', '/auth/passkeys', { headers: bearer(account.accessToken) });
    expect(listed.body).toEqual({ passkeys: [{ ...created, last_used_at: null }] });

    // Enrolled from a password-only session less than REAUTH_MAX_AGE_SECONDS ago: hwk and user, not mfa yet.
    const login = await expectResponse(200, 'POST', '/auth/passkeys/login/verify', { json: await assertion(account.authenticator) });
    expect(claimsOf(login.body.access_token)).toMatchObject({ amr: ['hwk', 'user'] });
    const me = await expectResponse(200, 'GET', '/me', { headers: bearer(login.body.access_token) });
    expect(me.body.email).toBe(account.email);
    const refreshed = await expectResponse(200, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
    expect(claimsOf(refreshed.body.access_token)).toMatchObject({ amr: ['hwk', 'user'] });

    const after = await expectResponse(200, 'GET', '/auth/passkeys', { headers: bearer(account.accessToken) });
    expect(after.body.passkeys[0].last_used_at).toEqual(expect.any(String));
  });

  it('delivers the refresh token in a cookie when asked, like a password login', async () => {
    const account = await signedIn();
    await registerPasskey(account);
    const login = await expectResponse(200, 'POST', '/auth/passkeys/login/verify', { json: { ...(await assertion(account.authenticator)), refresh_token_delivery: 'cookie' } });
    expect(login.body.refresh_token).toBeUndefined();
    // serverless-offline re-orders the attributes (and adds Expires); their set is what counts.
    const cookie = login.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^refresh_token=[A-Za-z0-9._-]{43,};/);
    expect(cookie.split('; ').slice(1)).toEqual(expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/dev/auth', expect.stringMatching(/^Max-Age=\d+$/)]));
  });

  it('lists an account\'s passkeys for its email, and answers an unknown email in the same shape with a stable decoy', async () => {
    const account = await signedIn();
    const created = await registerPasskey(account);
    const known = await loginOptions({ email: account.email });
    expect(known.options.allowCredentials).toEqual([{ id: created.id, type: 'public-key', transports: ['internal'] }]);
    const nobody = uniqueEmail('nobody');
    const unknown = await loginOptions({ email: nobody });
    const unknownAgain = await loginOptions({ email: nobody });
    expect(unknown.options.allowCredentials!.length).toBeGreaterThanOrEqual(1);
    for (const decoy of unknown.options.allowCredentials!) expect(decoy).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), type: 'public-key', transports: ['hybrid', 'internal'] });
    expect(unknownAgain.options.allowCredentials).toEqual(unknown.options.allowCredentials);
    expect(Object.keys(unknown).sort()).toEqual(Object.keys(known).sort());
    expect(Object.keys(unknown.options).sort()).toEqual(Object.keys(known.options).sort());
    expect((await loginOptions()).options.allowCredentials).toEqual([]);
  });

  it('deletes a passkey: 204, then it no longer logs in; another account\'s or an unknown one is 404', async () => {
    const account = await signedIn();
    const stranger = await signedIn();
    const created = await registerPasskey(account);
    await expectResponse(404, 'DELETE', `/auth/passkeys/${created.id}`, { headers: bearer(stranger.accessToken) });
    await expectResponse(404, 'DELETE', '/auth/passkeys/AAAAAAAAAAAAAAAAAAAAAA', { headers: bearer(account.accessToken) });
    await expectResponse(401, 'DELETE', `/auth/passkeys/${created.id}`);
    await expectResponse(204, 'DELETE', `/auth/passkeys/${created.id}`, { headers: bearer(account.accessToken) });
    expect((await expectResponse(200, 'GET', '/auth/passkeys', { headers: bearer(account.accessToken) })).body).toEqual({ passkeys: [] });
    await expectInvalidPasskey('/auth/passkeys/login/verify', { json: await assertion(account.authenticator) });
  });

  it('needs an access token to register and list', async () => {
    await expectResponse(401, 'POST', '/auth/passkeys/register/options');
    await expectResponse(401, 'POST', '/auth/passkeys/register/verify', { json: { response: {} } });
    await expectResponse(401, 'GET', '/auth/passkeys');
  });

  describe('attacks: 401 invalid_passkey or 400 invalid_request, never a 500', () => {
    it('a replayed challenge', async () => {
      const account = await signedIn();
      await registerPasskey(account);
      const body = await assertion(account.authenticator);
      await expectResponse(200, 'POST', '/auth/passkeys/login/verify', { json: body });
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: body });
    });

    it('an assertion for another origin or another RP id', async () => {
      const account = await signedIn();
      await registerPasskey(account);
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: await assertion(account.authenticator, { origin: 'https://evil.example' }) });
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: await assertion(account.authenticator, { rpId: 'evil.example' }) });
    });

    it('a credential of another account, or of none', async () => {
      const ada = await signedIn();
      const mallory = await signedIn();
      await registerPasskey(ada);
      await registerPasskey(mallory);
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: await assertion(mallory.authenticator, { claimedId: ada.authenticator.credentials[0]!.id }) });
      // A credential the authenticator made for an account whose registration never finished.
      const unfinished = await signedIn();
      unfinished.authenticator.register(await creationOptions(unfinished.accessToken));
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: await assertion(unfinished.authenticator) });
    });

    it('a signature over other data', async () => {
      const account = await signedIn();
      await registerPasskey(account);
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: await assertion(account.authenticator, { signOver: new Uint8Array(64) }) });
    });

    it('a counter that goes backwards', async () => {
      const account = await signedIn();
      await registerPasskey(account);
      await expectResponse(200, 'POST', '/auth/passkeys/login/verify', { json: await assertion(account.authenticator) });
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: await assertion(account.authenticator, { counter: 1 }) });
    });

    it('a registration response for a challenge issued to someone else', async () => {
      const ada = await signedIn();
      const mallory = await signedIn();
      const response = mallory.authenticator.register(await creationOptions(ada.accessToken));
      await expectInvalidPasskey('/auth/passkeys/register/verify', { headers: bearer(mallory.accessToken), json: { response } });
      expect((await expectResponse(200, 'GET', '/auth/passkeys', { headers: bearer(mallory.accessToken) })).body).toEqual({ passkeys: [] });
    });

    it('oversized or ill-typed JSON', async () => {
      const account = await signedIn();
      const response = account.authenticator.register(await creationOptions(account.accessToken));
      const authorized = bearer(account.accessToken);
      await expectResponse(413, 'POST', '/auth/passkeys/login/verify', { json: { challenge_id: 'x', response: { padding: 'x'.repeat(17_000) } } });
      await expectResponse(415, 'POST', '/auth/passkeys/login/options', { body: '{}', headers: { 'Content-Type': 'text/plain' } });
      await expectInvalidRequest('/auth/passkeys/login/verify', { body: '{"challenge_id":', headers: { 'Content-Type': 'application/json' } });
      await expectInvalidRequest('/auth/passkeys/login/verify', { json: { challenge_id: 5, response: {} } });
      await expectInvalidRequest('/auth/passkeys/login/verify', { json: { challenge_id: 'x', response: 'not an object' } });
      await expectInvalidRequest('/auth/passkeys/login/verify', { json: { challenge_id: 'x', response: {}, refresh_token_delivery: 'carrier pigeon' } });
      await expectInvalidRequest('/auth/passkeys/login/options', { json: { email: 42 } });
      await expectInvalidRequest('/auth/passkeys/login/options', { json: [] });
      await expectInvalidRequest('/auth/passkeys/register/verify', { headers: authorized, json: { response, name: 7 } });
      await expectInvalidRequest('/auth/passkeys/register/verify', { headers: authorized, json: { response, name: '   ' } });
      await expectInvalidRequest('/auth/passkeys/register/verify', { headers: authorized, json: { response, name: 'Laptop \u202egpj.exe' } });
      await expectInvalidRequest('/auth/passkeys/register/verify', { headers: authorized, json: { response: [response] } });
      const challengeId = (await loginOptions()).challenge_id;
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: { challenge_id: challengeId, response: { id: 5, rawId: null, type: 'public-key', response: { clientDataJSON: 17 } } } });
      await expectInvalidPasskey('/auth/passkeys/register/verify', { headers: authorized, json: { response: { ...response, response: { ...response.response, attestationObject: 'AAAA' } } } });
      // The 400s above spent nothing; the refused attestation spent the challenge, so the genuine response now fails too.
      await expectInvalidPasskey('/auth/passkeys/register/verify', { headers: authorized, json: { response } });
    });

    it('login/verify without challenge_id, or with one that is not ours', async () => {
      const account = await signedIn();
      await registerPasskey(account);
      const { response } = await assertion(account.authenticator);
      await expectInvalidRequest('/auth/passkeys/login/verify', { json: { response } });
      await expectInvalidPasskey('/auth/passkeys/login/verify', { json: { challenge_id: 'made-up', response } });
    });
  });
});
