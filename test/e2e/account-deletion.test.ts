import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { codeForStep, stepAt } from '../../lib/mfa/totp';
import { localClient } from '../../scripts/dev/dynamodb-local';
import { bearer, call } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { createSoftAuthenticator } from '../support/soft-authenticator';
import { claimsOf, registerVerified, resignedAccessToken } from '../support/e2e-accounts';

// DELETE /me removes everything kept about an account, the second factor and passkeys included.
describe('account deletion with TOTP and a passkey', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ WEBAUTHN_RP_ID: 'localhost' });
  });
  afterAll(() => server?.stop());

  it('leaves no item of the account in the users table, and the passkey and TOTP no longer log anyone in', async () => {
    const base = server.baseUrl;
    const email = uniqueEmail('gone');
    await registerVerified(base, email);
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    const userId = claimsOf(login.body.access_token).sub as string;
    const auth = bearer(login.body.access_token);

    const setup = await call(base, 'POST', '/auth/mfa/totp/setup', { headers: auth });
    expect((await call(base, 'POST', '/auth/mfa/totp/confirm', { headers: auth, json: { code: codeForStep(setup.body.secret, stepAt(Date.now()) - 1) } })).status).toBe(200);
    // A second factor needs a sign-in with the first, once it is past its probation: stood in for
    // here by the same session's token with that sign-in's claims (re-signed with the test key).
    const withSecondFactor = bearer(await resignedAccessToken(login.body.access_token, { amr: ['pwd', 'otp', 'mfa'], auth_time: Math.floor(Date.now() / 1000) }));
    const authenticator = createSoftAuthenticator({ rpId: 'localhost', origin: `http://localhost:${server.port}` });
    const creation = await call(base, 'POST', '/auth/passkeys/register/options', { headers: withSecondFactor });
    expect((await call(base, 'POST', '/auth/passkeys/register/verify', { headers: withSecondFactor, json: { response: authenticator.register(creation.body) } })).status).toBe(201);

    expect((await call(base, 'DELETE', '/me', { headers: auth, json: { password: PASSWORD } })).status).toBe(204);

    const { Items = [] } = await localClient(process.env.TEST_DYNAMODB_ENDPOINT!).send(new ScanCommand({ TableName: 'jwt-auth-dev-users' }));
    const left = Items.map((item) => unmarshall(item)).filter((item) => JSON.stringify(item).includes(userId) || JSON.stringify(item).includes(email));
    expect(left.map((item) => item.pk)).toEqual([]);

    const options = await call(base, 'POST', '/auth/passkeys/login/options', { json: {} });
    const assertion = authenticator.assert(options.body.options);
    const refused = await call(base, 'POST', '/auth/passkeys/login/verify', { json: { challenge_id: options.body.challenge_id, response: assertion } });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'invalid_passkey', message: expect.any(String) });
    // The email registers again at once, with no second factor left over.
    expect((await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const fresh = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(fresh.status).toBe(200);
    expect((await call(base, 'GET', '/me', { headers: bearer(fresh.body.access_token) })).body).toMatchObject({ email, mfa_enabled: false });
  });
});
