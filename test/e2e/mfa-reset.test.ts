import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { bearer, call } from '../support/http';
import { linkIn, tokenOfLink, waitForEmail } from '../support/inbox';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

const NEW_PASSWORD = 'a brand new passphrase';

// A password reset and TOTP (issue 13): a reset does not turn TOTP off, unless the reset is the
// first proof that the account's owner holds the mailbox (then TOTP was enrolled by whoever
// registered the email first, and it goes).
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
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    const auth = bearer(login.body.access_token);
    const setup = await call(base, 'POST', '/auth/mfa/totp/setup', { headers: auth });
    expect((await call(base, 'POST', '/auth/mfa/totp/confirm', { headers: auth, json: { code: codeForStep(setup.body.secret, stepAt(Date.now()) - 1) } })).status).toBe(200);
  }

  async function reset(email: string) {
    expect((await call(base, 'POST', '/auth/password/forgot', { json: { email } })).status).toBe(202);
    const token = await tokenOf(email, 'Reset');
    expect((await call(base, 'POST', '/auth/password/reset', { json: { token, password: NEW_PASSWORD } })).status).toBe(204);
  }

  it('keeps TOTP on a verified account: the next login still asks for a code', async () => {
    const email = uniqueEmail('kept');
    await enrolled(email);
    const verifyToken = await tokenOf(email, 'Confirm');
    expect((await call(base, 'POST', '/auth/email/verify', { json: { token: verifyToken } })).status).toBe(204);
    await reset(email);
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: NEW_PASSWORD } });
    expect(login.status).toBe(403);
    expect(login.body).toMatchObject({ error: 'mfa_required', mfa_token: expect.any(String), expires_in: 300 });
  });

  it('forgets TOTP enrolled before the mailbox was ever proven, when the reset proves it', async () => {
    const email = uniqueEmail('squatted');
    await enrolled(email);
    await reset(email);
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: NEW_PASSWORD } });
    expect(login.status).toBe(200);
    expect((await call(base, 'GET', '/me', { headers: bearer(login.body.access_token) })).body).toMatchObject({ email_verified: true, mfa_enabled: false });
  });
});
