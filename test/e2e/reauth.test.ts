import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { createAuthorizerDeps, createAuthorizerHandler } from '../../lib/authorizer/authorizer';
import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { claimsOf, emailedToken, registerVerified, resignedAccessToken, signedInAgo } from '../support/e2e-accounts';
import { PASSWORD, signingJwk, uniqueEmail } from '../support/fixtures';
import { bearer, call, sleep } from '../support/http';
import { linkIn, waitForEmail } from '../support/inbox';
import { conformingCaller, loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';
import { createSoftAuthenticator, type SoftAuthenticator } from '../support/soft-authenticator';

// Re-authentication and factor notices over HTTP (serverless-offline, DynamoDB Local, the SES
// emulator), every response checked against docs/openapi.yaml. "A sign-in long ago" is the same
// session's access token with an old auth_time, signed again with the test server's key.
describe('re-authentication and factor notices over HTTP', () => {
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
  const expectResponse = conformingCaller(spec, () => base);
  const expectError = async (status: number, error: string, method: string, path: string, options: Options = {}) => {
    const result = await expectResponse(status, method, path, options);
    expect(result.body).toEqual({ error, message: expect.any(String) });
    return result;
  };

  interface Account {
    email: string;
    accessToken: string;
    refreshToken: string;
    secret?: string;
    recoveryCodes?: string[];
    lastStep: number;
  }

  const login = async (email: string) => {
    const result = await expectResponse(200, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    return { accessToken: result.body.access_token as string, refreshToken: result.body.refresh_token as string };
  };
  const verifiedAccount = async (): Promise<Account> => {
    const email = uniqueEmail('reauth');
    await registerVerified(base, email);
    return { email, ...(await login(email)), lastStep: -1 };
  };
  /** A TOTP code this account has not spent: the lowest usable step of the server's window. */
  const freshCode = async (account: Account): Promise<string> => {
    for (;;) {
      const now = Date.now();
      const current = stepAt(now);
      const candidates = [current - 1, current, current + 1].filter((step) => step > account.lastStep && !(now % 30_000 > 25_000 && step === current - 1));
      if (candidates.length) {
        account.lastStep = candidates[0]!;
        return codeForStep(account.secret!, account.lastStep);
      }
      await sleep(30_000 - (now % 30_000) + 100);
    }
  };
  const enrolTotp = async (account: Account) => {
    const setup = await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(account.accessToken) });
    account.secret = setup.body.secret;
    const confirm = await expectResponse(200, 'POST', '/auth/mfa/totp/confirm', { headers: bearer(account.accessToken), json: { code: await freshCode(account) } });
    account.recoveryCodes = confirm.body.recovery_codes;
  };
  const passkeyOf = async (account: Account): Promise<{ authenticator: SoftAuthenticator; id: string }> => {
    const authenticator = createSoftAuthenticator({ rpId: 'localhost', origin });
    const options = (await expectResponse(200, 'POST', '/auth/passkeys/register/options', { headers: bearer(account.accessToken) })).body as PublicKeyCredentialCreationOptionsJSON;
    const created = await expectResponse(201, 'POST', '/auth/passkeys/register/verify', { headers: bearer(account.accessToken), json: { response: authenticator.register(options) } });
    return { authenticator, id: created.body.id };
  };
  const assertion = async (authenticator: SoftAuthenticator) => {
    const { challenge_id, options } = (await expectResponse(200, 'POST', '/auth/passkeys/login/options', { json: {} })).body as { challenge_id: string; options: PublicKeyCredentialRequestOptionsJSON };
    return { challenge_id, response: authenticator.assert(options) };
  };
  const refreshes = async (refreshToken: string) => (await call(base, 'POST', '/auth/refresh', { json: { refresh_token: refreshToken } })).status === 200;

  describe('POST /auth/reauthenticate', () => {
    it('with the password: an access token of the same session with a fresh auth_time; the refresh token is not rotated and later refreshes keep it', async () => {
      const account = await verifiedAccount();
      const before = claimsOf(account.accessToken);
      await sleep(1100);
      const old = await signedInAgo(account.accessToken, 3600);
      const result = await expectResponse(200, 'POST', '/auth/reauthenticate', { headers: bearer(old), json: { password: PASSWORD } });
      expect(result.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
      expect(result.headers.get('cache-control')).toBe('no-store');
      const claims = claimsOf(result.body.access_token);
      expect(claims).toMatchObject({ sub: before.sub, sid: before.sid, amr: ['pwd'] });
      expect(claims.auth_time).toBeGreaterThan(before.auth_time as number);
      // The login's refresh token still works, and its access tokens carry the re-authentication.
      const refreshed = await expectResponse(200, 'POST', '/auth/refresh', { json: { refresh_token: account.refreshToken } });
      expect(claimsOf(refreshed.body.access_token)).toMatchObject({ sid: before.sid, auth_time: claims.auth_time, amr: ['pwd'] });
      // What was refused with the old sign-in now passes.
      await expectError(403, 'reauthentication_required', 'POST', '/auth/mfa/totp/setup', { headers: bearer(old) });
      await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(result.body.access_token) });
    });

    it('with TOTP on: the password alone is 400, a wrong code 401, a current code or a recovery code 200 (used once)', async () => {
      const account = await verifiedAccount();
      await enrolTotp(account);
      const auth = bearer(account.accessToken);
      await expectError(400, 'invalid_request', 'POST', '/auth/reauthenticate', { headers: auth, json: { password: PASSWORD } });
      await expectError(400, 'invalid_request', 'POST', '/auth/reauthenticate', { headers: auth, json: { password: PASSWORD, code: '123456', recovery_code: account.recoveryCodes![0] } });
      await expectError(401, 'invalid_mfa_code', 'POST', '/auth/reauthenticate', { headers: auth, json: { password: PASSWORD, code: '12345' } });
      await expectError(401, 'invalid_credentials', 'POST', '/auth/reauthenticate', { headers: auth, json: { password: 'not the password', code: await freshCode(account) } });
      const byCode = await expectResponse(200, 'POST', '/auth/reauthenticate', { headers: auth, json: { password: PASSWORD, code: await freshCode(account) } });
      // The enrolment is minutes old and was made without a second factor: otp, not yet mfa.
      expect(claimsOf(byCode.body.access_token).amr).toEqual(['pwd', 'otp']);
      const byRecovery = await expectResponse(200, 'POST', '/auth/reauthenticate', { headers: auth, json: { password: PASSWORD, recovery_code: account.recoveryCodes![0] } });
      expect(claimsOf(byRecovery.body.access_token).amr).toEqual(['pwd', 'rc']);
      await expectError(401, 'invalid_mfa_code', 'POST', '/auth/reauthenticate', { headers: auth, json: { password: PASSWORD, recovery_code: account.recoveryCodes![0] } });
    });

    it('with a passkey of the caller (a challenge from login/options); another account\'s passkey is 401 invalid_passkey', async () => {
      const account = await verifiedAccount();
      const { authenticator, id } = await passkeyOf(account);
      const result = await expectResponse(200, 'POST', '/auth/reauthenticate', { headers: bearer(account.accessToken), json: await assertion(authenticator) });
      expect(claimsOf(result.body.access_token)).toMatchObject({ sid: claimsOf(account.accessToken).sid, amr: ['hwk', 'user'] });
      const stranger = await verifiedAccount();
      await expectError(401, 'invalid_passkey', 'POST', '/auth/reauthenticate', { headers: bearer(stranger.accessToken), json: await assertion(authenticator) });
      expect((await expectResponse(200, 'GET', '/auth/passkeys', { headers: bearer(account.accessToken) })).body.passkeys.map((passkey: { id: string }) => passkey.id)).toEqual([id]);
    });

    it('counts failures against the login throttle: five wrong passwords, then 429 with Retry-After', async () => {
      const account = await verifiedAccount();
      for (let attempt = 0; attempt < 5; attempt++) await expectError(401, 'invalid_credentials', 'POST', '/auth/reauthenticate', { headers: bearer(account.accessToken), json: { password: 'not the password' } });
      const throttled = await expectError(429, 'too_many_attempts', 'POST', '/auth/reauthenticate', { headers: bearer(account.accessToken), json: { password: PASSWORD } });
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('sensitive changes', () => {
    it('refuses each change without a password in its body, on a sign-in older than REAUTH_MAX_AGE_SECONDS, with 403 reauthentication_required', async () => {
      const account = await verifiedAccount();
      const { id } = await passkeyOf(account);
      const old = bearer(await signedInAgo(account.accessToken, 301));
      await expectError(403, 'reauthentication_required', 'POST', '/auth/mfa/totp/setup', { headers: old });
      await expectError(403, 'reauthentication_required', 'POST', '/auth/mfa/totp/confirm', { headers: old, json: { code: '123456' } });
      await expectError(403, 'reauthentication_required', 'POST', '/auth/passkeys/register/options', { headers: old });
      await expectError(403, 'reauthentication_required', 'POST', '/auth/passkeys/register/verify', { headers: old, json: { response: {} } });
      await expectError(403, 'reauthentication_required', 'DELETE', `/auth/passkeys/${id}`, { headers: old });
      // A token issued before tokens carried auth_time is never recent.
      const legacy = bearer(await resignedAccessToken(account.accessToken, { auth_time: undefined }));
      await expectError(403, 'reauthentication_required', 'DELETE', `/auth/passkeys/${id}`, { headers: legacy });
      // The password in the body is the proof where the contract asks for it: an old sign-in is fine.
      await expectResponse(204, 'POST', '/auth/password/change', { headers: old, json: { current_password: PASSWORD, new_password: 'another long passphrase' } });
      await expectResponse(204, 'DELETE', '/me', { headers: old, json: { password: 'another long passphrase' } });
    });

    it('adding a second factor needs a sign-in that used the first: a password-only one is 403', async () => {
      const account = await verifiedAccount();
      await enrolTotp(account);
      // The confirming session's own sign-in was the password alone.
      await expectError(403, 'reauthentication_required', 'POST', '/auth/passkeys/register/options', { headers: bearer(account.accessToken) });
    });

    it('refuses TOTP and passkeys on an account whose email is not verified (403 email_not_verified), before the sign-in is looked at', async () => {
      const email = uniqueEmail('unverified');
      await expectResponse(201, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
      const { accessToken } = await login(email);
      const old = bearer(await signedInAgo(accessToken, 3600));
      for (const path of ['/auth/mfa/totp/setup', '/auth/passkeys/register/options']) {
        await expectError(403, 'email_not_verified', 'POST', path, { headers: bearer(accessToken) });
        await expectError(403, 'email_not_verified', 'POST', path, { headers: old });
      }
    });

    it('counts wrong codes at TOTP confirm against the login throttle: 429 past LOGIN_MAX_FAILURES', async () => {
      const account = await verifiedAccount();
      const setup = await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(account.accessToken) });
      const right = codeForStep(setup.body.secret, stepAt(Date.now()));
      const wrong = right === '000000' ? '111111' : '000000';
      for (let attempt = 0; attempt < 5; attempt++) await expectError(401, 'invalid_mfa_code', 'POST', '/auth/mfa/totp/confirm', { headers: bearer(account.accessToken), json: { code: wrong } });
      await expectError(429, 'too_many_attempts', 'POST', '/auth/mfa/totp/confirm', { headers: bearer(account.accessToken), json: { code: right } });
    });
  });

  describe('second factors', () => {
    it('a login with TOTP enrolled minutes ago from a password-only session is not mfa: AUTHORIZER_REQUIRED_AMR=mfa refuses it', async () => {
      const account = await verifiedAccount();
      await enrolTotp(account);
      const challenge = await expectResponse(403, 'POST', '/auth/login', { json: { email: account.email, password: PASSWORD } });
      const verified = await expectResponse(200, 'POST', '/auth/mfa/verify', { json: { mfa_token: challenge.body.mfa_token, code: await freshCode(account) } });
      expect(claimsOf(verified.body.access_token).amr).toEqual(['pwd', 'otp']);
      const env = { AUTH_LOCAL_DEV: 'true', JWT_ALG: 'ES256', JWT_PRIVATE_KEY: JSON.stringify(await signingJwk('ES256')), JWT_ISSUER: 'http://localhost:3000', JWT_AUDIENCE: 'jwt-auth', AUTHORIZER_REQUIRED_AMR: 'mfa', LOG_LEVEL: 'silent' };
      const mfaAuthorizer = createAuthorizerHandler(() => createAuthorizerDeps(env));
      const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/me';
      const decision = await mfaAuthorizer({ type: 'TOKEN', authorizationToken: `Bearer ${verified.body.access_token}`, methodArn });
      expect(decision).toMatchObject({ principalId: 'insufficient_authentication', policyDocument: { Statement: [{ Effect: 'Deny' }] } });
    });

    it('disables TOTP with the password and a recovery code (a lost phone), and enrols again', async () => {
      const account = await verifiedAccount();
      await enrolTotp(account);
      const sentAfter = Date.now() - 1000;
      await expectResponse(204, 'POST', '/auth/mfa/totp/disable', { headers: bearer(account.accessToken), json: { password: PASSWORD, recovery_code: account.recoveryCodes![3] } });
      expect((await expectResponse(200, 'GET', '/me', { headers: bearer(account.accessToken) })).body.mfa_enabled).toBe(false);
      const notice = await waitForEmail(process.env.TEST_SES_ENDPOINT!, { to: account.email, subjectIncludes: 'Two-step verification was turned off', after: sentAfter });
      expect(linkIn(notice)).toMatch(/\?action=report-factor#token=/);
      await expectError(400, 'invalid_request', 'POST', '/auth/mfa/totp/disable', { headers: bearer(account.accessToken), json: { password: PASSWORD, code: '123456', recovery_code: 'x' } });
      account.lastStep = -1;
      await enrolTotp(account);
    });

    it('removing a passkey ends the sessions it opened or re-authenticated; other sessions stay', async () => {
      const account = await verifiedAccount();
      const { authenticator, id } = await passkeyOf(account);
      const byPasskey = await expectResponse(200, 'POST', '/auth/passkeys/login/verify', { json: await assertion(authenticator) });
      const other = await login(account.email);
      const reauthenticated = await login(account.email);
      const fresh = await expectResponse(200, 'POST', '/auth/reauthenticate', { headers: bearer(reauthenticated.accessToken), json: await assertion(authenticator) });
      await expectResponse(204, 'DELETE', `/auth/passkeys/${id}`, { headers: bearer(fresh.body.access_token) });
      expect(await refreshes(byPasskey.body.refresh_token)).toBe(false);
      expect(await refreshes(reauthenticated.refreshToken)).toBe(false);
      expect(await refreshes(other.refreshToken)).toBe(true);
      expect(await refreshes(account.refreshToken)).toBe(true);
    });
  });

  describe('factor notices', () => {
    it('turning TOTP on emails a notice with one report link; the report turns TOTP off and ends every session, once', async () => {
      const account = await verifiedAccount();
      const other = await login(account.email);
      const sentAfter = Date.now() - 1000;
      await enrolTotp(account);
      const notice = await waitForEmail(process.env.TEST_SES_ENDPOINT!, { to: account.email, subjectIncludes: 'Two-step verification was turned on', after: sentAfter });
      const link = new URL(linkIn(notice));
      expect(`${link.origin}${link.pathname}`).toBe(`http://localhost:${server.port}/dev/demo`);
      expect(link.searchParams.get('action')).toBe('report-factor');
      const token = new URLSearchParams(link.hash.slice(1)).get('token')!;
      await expectResponse(204, 'POST', '/auth/factors/report', { json: { token } });
      expect(await refreshes(account.refreshToken)).toBe(false);
      expect(await refreshes(other.refreshToken)).toBe(false);
      const again = await login(account.email);
      expect((await expectResponse(200, 'GET', '/me', { headers: bearer(again.accessToken) })).body.mfa_enabled).toBe(false);
      await expectError(400, 'invalid_one_time_token', 'POST', '/auth/factors/report', { json: { token } });
    });

    it('each outstanding notice has its own working link: a passkey_added report removes that passkey only', async () => {
      const account = await verifiedAccount();
      const sentAfter = Date.now() - 1000;
      const { authenticator } = await passkeyOf(account);
      const firstToken = await emailedToken(account.email, 'A passkey was added', sentAfter);
      const fresh = await expectResponse(200, 'POST', '/auth/reauthenticate', { headers: bearer(account.accessToken), json: await assertion(authenticator) });
      // A second passkey needs a sign-in with the first, once past its probation: stood in for by the same session's token with that sign-in's amr.
      account.accessToken = await resignedAccessToken(fresh.body.access_token, { amr: ['hwk', 'user', 'mfa'] });
      const secondAfter = Date.now();
      const { id: second } = await passkeyOf(account);
      const secondToken = await emailedToken(account.email, 'A passkey was added', secondAfter);
      expect(secondToken).not.toBe(firstToken);
      await expectResponse(204, 'POST', '/auth/factors/report', { json: { token: firstToken } });
      const again = await login(account.email);
      expect((await expectResponse(200, 'GET', '/auth/passkeys', { headers: bearer(again.accessToken) })).body.passkeys.map((passkey: { id: string }) => passkey.id)).toEqual([second]);
      await expectResponse(204, 'POST', '/auth/factors/report', { json: { token: secondToken } });
      expect((await expectResponse(200, 'GET', '/auth/passkeys', { headers: bearer((await login(account.email)).accessToken) })).body.passkeys).toEqual([]);
    });

    it('refuses an unknown or malformed report token with 400 invalid_one_time_token, and a body without one with 400 invalid_request', async () => {
      await expectError(400, 'invalid_one_time_token', 'POST', '/auth/factors/report', { json: { token: 'not-a-token' } });
      await expectError(400, 'invalid_one_time_token', 'POST', '/auth/factors/report', { json: { token: `${'0'.repeat(36)}.${'A'.repeat(43)}` } });
      await expectError(400, 'invalid_request', 'POST', '/auth/factors/report', { json: {} });
    });
  });
});
