import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { bearer, call, sleep } from '../support/http';
import { registerVerified, resignedAccessToken } from '../support/e2e-accounts';
import { claimsOf } from '../support/mfa-kit';
import { conformingCaller, loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';

const APP_ORIGIN = 'https://app.example.com';

// Multi-factor sign-in over HTTP (serverless-offline + DynamoDB Local), every response checked against
// docs/openapi.yaml. Codes are computed from the secret with real time; each account remembers
// the last step it spent, so no test waits for a new step unless it needs more than three codes.
describe('TOTP and recovery codes over HTTP', () => {
  const spec = loadOpenApi();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ CORS_ALLOWED_ORIGINS: APP_ORIGIN, MFA_ISSUER_NAME: 'Acme Auth' });
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const expectResponse = conformingCaller(spec, () => base);

  interface Enrolled {
    email: string;
    accessToken: string;
    secret: string;
    recoveryCodes: string[];
    lastStep: number;
  }

  /**
   * A code this account has not spent yet: the lowest step in the server's window (current ±1)
   * above the last one spent, avoiding the step about to leave the window; waits for the next
   * step when the window is used up.
   */
  const freshCode = async (account: Enrolled): Promise<string> => {
    for (;;) {
      const now = Date.now();
      const current = stepAt(now);
      const nearEndOfStep = now % 30_000 > 25_000;
      const candidates = [current - 1, current, current + 1].filter((step) => step > account.lastStep && !(nearEndOfStep && step === current - 1));
      if (candidates.length) {
        account.lastStep = candidates[0]!;
        return codeForStep(account.secret, account.lastStep);
      }
      await sleep(30_000 - (now % 30_000) + 100);
    }
  };

  const loginTokens = async (email: string) => (await expectResponse(200, 'POST', '/auth/login', { json: { email, password: PASSWORD } })).body as { access_token: string; refresh_token: string };

  const enrolled = async (): Promise<Enrolled> => {
    const email = uniqueEmail('mfa-e2e');
    await registerVerified(base, email);
    const { access_token: accessToken } = await loginTokens(email);
    const setup = await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(accessToken) });
    const account: Enrolled = { email, accessToken, secret: setup.body.secret, recoveryCodes: [], lastStep: -1 };
    const confirm = await expectResponse(200, 'POST', '/auth/mfa/totp/confirm', { headers: bearer(accessToken), json: { code: await freshCode(account) } });
    account.recoveryCodes = confirm.body.recovery_codes;
    return account;
  };

  const mfaTokenOf = async (email: string, delivery?: 'body' | 'cookie') => {
    const login = await expectResponse(403, 'POST', '/auth/login', { json: { email, password: PASSWORD, ...(delivery ? { refresh_token_delivery: delivery } : {}) } });
    expect(login.body).toMatchObject({ error: 'mfa_required', expires_in: 300 });
    expect(login.headers.getSetCookie()).toEqual([]);
    return login.body.mfa_token as string;
  };

  it('enrols (setup, confirm), then a login asks for a code and verify issues tokens with amr ["pwd","otp"] (no mfa while the enrolment is on probation)', async () => {
    const email = uniqueEmail('mfa-e2e');
    await registerVerified(base, email);
    const first = await loginTokens(email);
    expect(claimsOf(first.access_token).amr).toEqual(['pwd']);
    const setup = await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(first.access_token) });
    expect(setup.body.otpauth_uri).toContain(`otpauth://totp/Acme%20Auth:${encodeURIComponent(email)}?secret=${setup.body.secret}`);
    expect(setup.headers.get('cache-control')).toBe('no-store');
    // Nothing changes before confirm: the password alone still logs in.
    const other = await loginTokens(email);
    const account: Enrolled = { email, accessToken: first.access_token, secret: setup.body.secret, recoveryCodes: [], lastStep: -1 };
    const confirm = await expectResponse(200, 'POST', '/auth/mfa/totp/confirm', { headers: bearer(first.access_token), json: { code: await freshCode(account) } });
    expect(confirm.body.recovery_codes).toHaveLength(10);
    // Turning TOTP on ends the other password-only sessions; the caller's stays.
    expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: other.refresh_token } })).status).toBe(401);
    expect((await expectResponse(200, 'GET', '/me', { headers: bearer(first.access_token) })).body.mfa_enabled).toBe(true);
    // TOTP is on now: adding it again needs a sign-in that used it (403 first), and then is 409.
    expect((await expectResponse(403, 'POST', '/auth/mfa/totp/setup', { headers: bearer(first.access_token) })).body.error).toBe('reauthentication_required');
    const withTotp = await resignedAccessToken(first.access_token, { amr: ['pwd', 'otp', 'mfa'], auth_time: Math.floor(Date.now() / 1000) });
    await expectResponse(409, 'POST', '/auth/mfa/totp/setup', { headers: bearer(withTotp) });
    const mfaToken = await mfaTokenOf(email);
    const verified = await expectResponse(200, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code: await freshCode(account) } });
    // Enrolled from a password-only session less than REAUTH_MAX_AGE_SECONDS ago: the code proves otp, not mfa yet.
    expect(claimsOf(verified.body.access_token).amr).toEqual(['pwd', 'otp']);
    expect(typeof verified.body.refresh_token).toBe('string');
    const refreshed = await expectResponse(200, 'POST', '/auth/refresh', { json: { refresh_token: verified.body.refresh_token } });
    expect(claimsOf(refreshed.body.access_token).amr).toEqual(['pwd', 'otp']);
  });

  it('refuses ill-formed codes cleanly with 401 invalid_mfa_code, and ill-typed bodies with 400', async () => {
    const account = await enrolled();
    const mfaToken = await mfaTokenOf(account.email);
    for (const code of ['12345', '1234567', '12 456', 'abcdef']) {
      const result = await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code } });
      expect(result.body.error).toBe('invalid_mfa_code');
    }
    for (const body of [{ mfa_token: mfaToken, code: 123456 }, { mfa_token: mfaToken }, { mfa_token: mfaToken, code: '123456', recovery_code: account.recoveryCodes[0] }, { code: '123456' }]) {
      expect((await expectResponse(400, 'POST', '/auth/mfa/verify', { json: body })).body.error).toBe('invalid_request');
    }
    // Four wrong codes so far: the fifth ends the token.
    await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code: ' 123456' } });
    const dead = await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code: await freshCode(account) } });
    expect(dead.body.error).toBe('invalid_mfa_token');
  });

  it('a replayed code and a code from two steps back are invalid_mfa_code; an MFA token works once', async () => {
    const account = await enrolled();
    const code = await freshCode(account);
    const mfaToken = await mfaTokenOf(account.email);
    await expectResponse(200, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code } });
    expect((await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: await mfaTokenOf(account.email), code } })).body.error).toBe('invalid_mfa_code');
    const twoBack = codeForStep(account.secret, stepAt(Date.now()) - 2);
    expect((await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: await mfaTokenOf(account.email), code: twoBack } })).body.error).toBe('invalid_mfa_code');
    expect((await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code: await freshCode(account) } })).body.error).toBe('invalid_mfa_token');
  });

  it('two concurrent verifies with one MFA token: exactly one 200', async () => {
    const account = await enrolled();
    const mfaToken = await mfaTokenOf(account.email);
    const code = await freshCode(account);
    const results = await Promise.all([
      call(base, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code } }),
      call(base, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, recovery_code: account.recoveryCodes[0] } }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 401]);
    expect(['invalid_mfa_token', 'invalid_mfa_code']).toContain(results.find((result) => result.status === 401)!.body.error);
  });

  it('a recovery code works once, also when two logins race for it; amr ["pwd","rc"] (the enrolment is on probation)', async () => {
    const account = await enrolled();
    const [a, b] = [await mfaTokenOf(account.email), await mfaTokenOf(account.email)];
    const raced = await Promise.all([a, b].map((mfaToken) => call(base, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, recovery_code: account.recoveryCodes[1] } })));
    expect(raced.map((result) => result.status).sort()).toEqual([200, 401]);
    expect(claimsOf(raced.find((result) => result.status === 200)!.body.access_token).amr).toEqual(['pwd', 'rc']);
    const again = await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: await mfaTokenOf(account.email), recovery_code: account.recoveryCodes[1] } });
    expect(again.body.error).toBe('invalid_mfa_code');
  });

  it('setup twice before confirm: only the latest secret confirms', async () => {
    const email = uniqueEmail('mfa-e2e');
    await registerVerified(base, email);
    const { access_token: accessToken } = await loginTokens(email);
    const first = await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(accessToken) });
    const second = await expectResponse(200, 'POST', '/auth/mfa/totp/setup', { headers: bearer(accessToken) });
    const stale = await expectResponse(401, 'POST', '/auth/mfa/totp/confirm', { headers: bearer(accessToken), json: { code: codeForStep(first.body.secret, stepAt(Date.now())) } });
    expect(stale.body.error).toBe('invalid_mfa_code');
    await expectResponse(200, 'POST', '/auth/mfa/totp/confirm', { headers: bearer(accessToken), json: { code: codeForStep(second.body.secret, stepAt(Date.now())) } });
  });

  it('cookie delivery asked at login is honoured by verify: the refresh token only in the cookie', async () => {
    const account = await enrolled();
    const mfaToken = await mfaTokenOf(account.email, 'cookie');
    const verified = await expectResponse(200, 'POST', '/auth/mfa/verify', { json: { mfa_token: mfaToken, code: await freshCode(account) } });
    expect(verified.body.refresh_token).toBeUndefined();
    const cookie = verified.headers.getSetCookie()[0] ?? '';
    // serverless-offline reorders the attributes (and adds Expires): check each one.
    expect(cookie).toMatch(/^refresh_token=[^;]+;/);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/dev/auth']) expect(cookie.split('; ')).toContain(attribute);
    const refreshed = await expectResponse(200, 'POST', '/auth/refresh', { headers: { Cookie: cookie.split(';')[0]!, Origin: APP_ORIGIN } });
    expect(claimsOf(refreshed.body.access_token).amr).toEqual(['pwd', 'otp']);
  });

  it('recovery codes are replaced with the password; disable needs the password and a current code', async () => {
    const account = await enrolled();
    expect((await expectResponse(401, 'POST', '/auth/mfa/recovery-codes', { headers: bearer(account.accessToken), json: { password: 'not the password' } })).body.error).toBe('invalid_credentials');
    const replaced = await expectResponse(200, 'POST', '/auth/mfa/recovery-codes', { headers: bearer(account.accessToken), json: { password: PASSWORD } });
    const old = await expectResponse(401, 'POST', '/auth/mfa/verify', { json: { mfa_token: await mfaTokenOf(account.email), recovery_code: account.recoveryCodes[0] } });
    expect(old.body.error).toBe('invalid_mfa_code');
    await expectResponse(200, 'POST', '/auth/mfa/verify', { json: { mfa_token: await mfaTokenOf(account.email), recovery_code: replaced.body.recovery_codes[0] } });
    const wrongCode = await expectResponse(401, 'POST', '/auth/mfa/totp/disable', { headers: bearer(account.accessToken), json: { password: PASSWORD, code: '12345' } });
    expect(wrongCode.body.error).toBe('invalid_mfa_code');
    await expectResponse(204, 'POST', '/auth/mfa/totp/disable', { headers: bearer(account.accessToken), json: { password: PASSWORD, code: await freshCode(account) } });
    expect(claimsOf((await loginTokens(account.email)).access_token).amr).toEqual(['pwd']);
  });
});
