import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { bearer, call } from '../support/http';
import { linkIn, tokenOfLink, waitForEmail } from '../support/inbox';
import { startTestServer } from '../support/server';
import { resetTokenFor } from '../support/e2e-accounts';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { createSoftAuthenticator } from '../support/soft-authenticator';

const NEW_PASSWORD = 'a brand new passphrase';

// A new password ends what was pending under the old one (pending MFA tokens, outstanding reset
// links, passkey challenges), and one mailbox is one account however its address is spelled.
describe('a password reset or change ends what was pending; one mailbox, one account', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  const ses = () => process.env.TEST_SES_ENDPOINT!;
  beforeAll(async () => {
    server = await startTestServer({});
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const tokenOf = async (to: string, subject: string) => tokenOfLink(linkIn(await waitForEmail(ses(), { to, subjectIncludes: subject })));

  /** A registered account whose email is verified, signed in. */
  async function verifiedAccount(prefix: string) {
    const email = uniqueEmail(prefix);
    expect((await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    expect((await call(base, 'POST', '/auth/email/verify', { json: { token: await tokenOf(email, 'Confirm') } })).status).toBe(204);
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    return { email, auth: bearer(login.body.access_token as string) };
  }

  const changePassword = async (auth: Record<string, string>) =>
    expect((await call(base, 'POST', '/auth/password/change', { headers: auth, json: { current_password: PASSWORD, new_password: NEW_PASSWORD } })).status).toBe(204);

  it('a pending mfa_token dies with a password reset: 401 invalid_mfa_token, even with a right code', async () => {
    const { email, auth } = await verifiedAccount('mfa-reset');
    const setup = await call(base, 'POST', '/auth/mfa/totp/setup', { headers: auth });
    expect((await call(base, 'POST', '/auth/mfa/totp/confirm', { headers: auth, json: { code: codeForStep(setup.body.secret, stepAt(Date.now()) - 1) } })).status).toBe(200);
    const pending = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(pending.body).toMatchObject({ error: 'mfa_required', mfa_token: expect.any(String) });

    const reset = await call(base, 'POST', '/auth/password/reset', { json: { token: await resetTokenFor(base, email), password: NEW_PASSWORD } });
    expect(reset.status).toBe(204);

    const verify = await call(base, 'POST', '/auth/mfa/verify', { json: { mfa_token: pending.body.mfa_token, code: codeForStep(setup.body.secret, stepAt(Date.now())) } });
    expect(verify.status).toBe(401);
    expect(verify.body).toEqual({ error: 'invalid_mfa_token', message: expect.any(String) });
  });

  it('an outstanding reset link dies with a password change: 400 invalid_one_time_token, and the changed password stays', async () => {
    const { email, auth } = await verifiedAccount('link-change');
    const link = await resetTokenFor(base, email);
    await changePassword(auth);
    const reset = await call(base, 'POST', '/auth/password/reset', { json: { token: link, password: 'the attacker’s passphrase' } });
    expect(reset.status).toBe(400);
    expect(reset.body).toEqual({ error: 'invalid_one_time_token', message: expect.any(String) });
    expect((await call(base, 'POST', '/auth/login', { json: { email, password: NEW_PASSWORD } })).status).toBe(200);
  });

  it('a passkey registration challenge dies with a password change: 401 invalid_passkey, and no passkey is added', async () => {
    const { auth } = await verifiedAccount('challenge-change');
    const authenticator = createSoftAuthenticator({ rpId: 'localhost', origin: `http://localhost:${server.port}` });
    const options = (await call(base, 'POST', '/auth/passkeys/register/options', { headers: auth })).body as PublicKeyCredentialCreationOptionsJSON;
    const response = authenticator.register(options);
    await changePassword(auth);
    const verify = await call(base, 'POST', '/auth/passkeys/register/verify', { headers: auth, json: { response } });
    expect(verify.status).toBe(401);
    expect(verify.body).toEqual({ error: 'invalid_passkey', message: expect.any(String) });
    expect((await call(base, 'GET', '/auth/passkeys', { headers: auth })).body).toEqual({ passkeys: [] });
  });

  it('an address with a trailing dot is the same mailbox: register is 409 email_taken, and it logs in to the one account', async () => {
    const local = `dot-${randomBytes(6).toString('hex')}`;
    const created = await call(base, 'POST', '/auth/register', { json: { email: `${local}@example.com`, password: PASSWORD } });
    expect(created.status).toBe(201);
    const again = await call(base, 'POST', '/auth/register', { json: { email: `${local}@example.com.`, password: PASSWORD } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'email_taken', message: expect.any(String) });
    const login = await call(base, 'POST', '/auth/login', { json: { email: ` ${local.toUpperCase()}@EXAMPLE.COM. `, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect((await call(base, 'GET', '/me', { headers: bearer(login.body.access_token as string) })).body).toMatchObject({ id: created.body.id });
  });

  it('an internationalised domain is kept in its ASCII form, whichever form is sent', async () => {
    const local = `idn-${randomBytes(6).toString('hex')}`;
    const created = await call(base, 'POST', '/auth/register', { json: { email: `${local}@BÜCHER.example`, password: PASSWORD } });
    expect(created.status).toBe(201);
    expect(created.body.email).toBe(`${local}@xn--bcher-kva.example`);
    expect((await call(base, 'POST', '/auth/register', { json: { email: `${local}@xn--bcher-kva.example`, password: PASSWORD } })).status).toBe(409);
  });
});
