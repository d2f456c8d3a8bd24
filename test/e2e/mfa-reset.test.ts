import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { bearer, call } from '../support/http';
import { linkIn, tokenOfLink, waitForEmail } from '../support/inbox';
import { startTestServer } from '../support/server';
import { resetTokenFor } from '../support/e2e-accounts';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

const NEW_PASSWORD = 'a brand new passphrase';

// A password reset and TOTP: a reset does not turn TOTP off. TOTP can only be enrolled once the
// email is verified, so someone who registered another person's email first cannot leave a
// factor behind for the owner's reset to miss.
describe('password reset on an account with TOTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  const ses = () => process.env.TEST_SES_ENDPOINT!;
  beforeAll(async () => {
    server = await startTestServer({});
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const tokenOf = async (to: string, subject: string) => tokenOfLink(linkIn(await waitForEmail(ses(), { to, subjectIncludes: subject })));

  async function enrolled(email: string) {
    await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    expect((await call(base, 'POST', '/auth/email/verify', { json: { token: await tokenOf(email, 'Confirm') } })).status).toBe(204);
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    const auth = bearer(login.body.access_token);
    const setup = await call(base, 'POST', '/auth/mfa/totp/setup', { headers: auth });
    expect((await call(base, 'POST', '/auth/mfa/totp/confirm', { headers: auth, json: { code: codeForStep(setup.body.secret, stepAt(Date.now()) - 1) } })).status).toBe(200);
  }

  async function reset(email: string) {
    const token = await resetTokenFor(base, email);
    expect((await call(base, 'POST', '/auth/password/reset', { json: { token, password: NEW_PASSWORD } })).status).toBe(204);
  }

  it('keeps TOTP on a verified account: the next login still asks for a code', async () => {
    const email = uniqueEmail('kept');
    await enrolled(email);
    await reset(email);
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: NEW_PASSWORD } });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ error: 'mfa_required', mfa_token: expect.any(String), expires_in: 300 });
  });

  it('refuses TOTP on an account whose mailbox was never proven (403 email_not_verified): a squatter cannot enrol one', async () => {
    const email = uniqueEmail('squatted');
    await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    const setup = await call(base, 'POST', '/auth/mfa/totp/setup', { headers: bearer(login.body.access_token) });
    expect({ status: setup.status, error: setup.body.error }).toEqual({ status: 403, error: 'email_not_verified' });
    await reset(email);
    const after = await call(base, 'POST', '/auth/login', { json: { email, password: NEW_PASSWORD } });
    expect(after.status).toBe(200);
    expect((await call(base, 'GET', '/me', { headers: bearer(after.body.access_token) })).body).toMatchObject({ email_verified: true, mfa_enabled: false });
  });
});
