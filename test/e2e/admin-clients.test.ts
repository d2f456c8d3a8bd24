import { randomUUID } from 'node:crypto';
import { createDynamoDbClientStore } from '../../lib/aws/dynamodb-client-store';
import { createKeyring } from '../../lib/core/keyring';
import { createClientSecrets } from '../../lib/oauth/client-secret';
import { tableNames } from '../../infra/tables.js';
import { generateHashKey } from '../../scripts/dev/keys';
import { SERVICE_NAME } from '../../scripts/dev/dynamodb-local';
import { PASSWORD } from '../support/fixtures';
import { bearer, call } from '../support/http';
import { conformingCaller, loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';
import { localDynamoDb } from '../support/store-contract';
import { claimsOf, resignedAccessToken } from '../support/e2e-accounts';

const ADMIN_SCOPE = 'users:read users:write clients:read clients:write audit:read';
const WITH_MFA = ['pwd', 'otp', 'mfa'];
const HASH_KEY = generateHashKey();

// The OAuth client registry's admin routes end to end (serverless-offline, DynamoDB Local), every
// response checked against docs/openapi.yaml. Admin tokens are made as in admin.test.ts: the
// admin's own access token with `scope` and `amr` re-signed with the test key.
describe('admin API: OAuth clients over HTTP (ADMIN_REQUIRE_MFA on, its default)', () => {
  const spec = loadOpenApi();
  // The server's hash key is known here, so the stored hash can be checked against the secret shown.
  const secrets = createClientSecrets(createKeyring(Buffer.from(HASH_KEY, 'base64url')));
  const stored = createDynamoDbClientStore(localDynamoDb().client, tableNames(SERVICE_NAME, 'dev').clients);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  let admin: { userId: string; token: string };

  const request = conformingCaller(spec, () => base);
  const as = (token: string) => ({ headers: bearer(token) });
  const WEB_APP = { client_name: 'Web app', redirect_uris: ['https://app.example.com/callback'], post_logout_redirect_uris: ['https://app.example.com/'], allowed_resources: ['https://api.example.com'] };

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_TOKEN_HASH_KEY: HASH_KEY });
    base = server.baseUrl;
    const email = `clients-admin-${randomUUID().slice(0, 8)}@example.com`;
    expect((await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const tokens = (await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } })).body;
    admin = { userId: claimsOf(tokens.access_token).sub as string, token: await resignedAccessToken(tokens.access_token, { scope: ADMIN_SCOPE, amr: WITH_MFA }) };
  });
  afterAll(() => server?.stop());

  it('registers a confidential client: the secret once (stored only as its keyed hash), then shown, listed and audited without it', async () => {
    const created = await request(201, 'POST', '/admin/clients', { json: WEB_APP, ...as(admin.token) });
    expect(created.body).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_name: 'Web app',
      redirect_uris: ['https://app.example.com/callback'],
      post_logout_redirect_uris: ['https://app.example.com/'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email offline_access',
      first_party: false,
      allowed_resources: ['https://api.example.com'],
      created_at: expect.any(String),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_secret_expires_at: 0,
    });
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { client_id: id, client_secret: secret } = created.body;

    const record = (await stored.get(id))!;
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(secrets.verifyClientSecret(record, secret)).toBe(true);

    const shown = await request(200, 'GET', `/admin/clients/${id}`, as(admin.token));
    const { client_secret: _secret, client_secret_expires_at: _expires, ...view } = created.body;
    expect(shown.body).toEqual(view);
    expect(shown.text).not.toContain(record.secretHash);

    // The table is shared with other test files: follow the cursor until the client is found.
    const listed: { client_id: string }[] = [];
    let page = await request(200, 'GET', '/admin/clients', as(admin.token));
    for (;;) {
      listed.push(...page.body.clients);
      expect(page.text).not.toMatch(/"client_secret"|secretHash/);
      if (!page.body.next_cursor) break;
      page = await request(200, 'GET', `/admin/clients?cursor=${encodeURIComponent(page.body.next_cursor)}`, as(admin.token));
    }
    expect(listed).toContainEqual(view);

    const audit = await request(200, 'GET', `/admin/audit?user_id=${admin.userId}&type=client_created`, as(admin.token));
    expect(audit.body.events).toContainEqual(expect.objectContaining({ type: 'client_created', user_id: admin.userId, actor_id: admin.userId, details: { client_id: id } }));
  });

  it('rotates a confidential client\'s secret (the old one stops verifying) and refuses a public client\'s (400 invalid_request)', async () => {
    const created = (await request(201, 'POST', '/admin/clients', { json: WEB_APP, ...as(admin.token) })).body;
    const rotated = await request(200, 'POST', `/admin/clients/${created.client_id}/secret`, as(admin.token));
    expect(rotated.body).toMatchObject({ client_id: created.client_id, client_secret: expect.any(String), client_secret_expires_at: 0 });
    expect(rotated.body.client_secret).not.toBe(created.client_secret);
    const record = (await stored.get(created.client_id))!;
    expect(secrets.verifyClientSecret(record, rotated.body.client_secret)).toBe(true);
    expect(secrets.verifyClientSecret(record, created.client_secret)).toBe(false);

    const spa = await request(201, 'POST', '/admin/clients', { json: { client_name: 'SPA', redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' }, ...as(admin.token) });
    expect(spa.body).not.toHaveProperty('client_secret');
    expect(spa.body.token_endpoint_auth_method).toBe('none');
    const refused = await request(400, 'POST', `/admin/clients/${spa.body.client_id}/secret`, as(admin.token));
    expect(refused.body).toEqual({ error: 'invalid_request', message: expect.stringContaining('public client') });

    const audit = await request(200, 'GET', `/admin/audit?user_id=${admin.userId}&type=client_secret_rotated`, as(admin.token));
    expect(audit.body.events).toEqual([expect.objectContaining({ details: { client_id: created.client_id } })]);
  });

  it('deletes a client: 204, then 404 on every path of it (a second delete included)', async () => {
    const { client_id: id } = (await request(201, 'POST', '/admin/clients', { json: WEB_APP, ...as(admin.token) })).body;
    await request(204, 'DELETE', `/admin/clients/${id}`, as(admin.token));
    expect((await request(404, 'DELETE', `/admin/clients/${id}`, as(admin.token))).body.error).toBe('not_found');
    expect((await request(404, 'GET', `/admin/clients/${id}`, as(admin.token))).body.error).toBe('not_found');
    expect((await request(404, 'POST', `/admin/clients/${id}/secret`, as(admin.token))).body.error).toBe('not_found');
    expect((await request(404, 'GET', `/admin/clients/${'x'.repeat(65)}`, as(admin.token))).body.error).toBe('not_found');
    expect(await stored.get(id)).toBeUndefined();
  });

  it('refuses bad metadata with 400 invalid_request naming the rule', async () => {
    const bad = async (json: unknown) => (await request(400, 'POST', '/admin/clients', { json, ...as(admin.token) })).body;
    expect(await bad({ ...WEB_APP, redirect_uris: ['http://app.example.com/callback'] })).toEqual({ error: 'invalid_request', message: 'Invalid request: redirect_uris must use https (or http on 127.0.0.1, [::1] or localhost).' });
    expect((await bad({ ...WEB_APP, redirect_uris: ['https://app.example.com/cb#x'] })).message).toContain('fragment');
    expect((await bad({ client_name: 'SPA', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] })).message).toContain('redirect_uris must hold at least one URI');
    expect((await bad({ ...WEB_APP, token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] })).message).toContain('client_credentials is for confidential clients only');
    expect((await bad({ redirect_uris: WEB_APP.redirect_uris })).message).toContain('client_name');
    expect((await request(400, 'GET', '/admin/clients?cursor=nope', as(admin.token))).body.error).toBe('invalid_request');
  });

  it('needs clients:read / clients:write (403 access_denied) and mfa (403 mfa_required_for_admin)', async () => {
    const readOnly = await resignedAccessToken(admin.token, { scope: 'clients:read' });
    const usersOnly = await resignedAccessToken(admin.token, { scope: 'users:read users:write' });
    const noMfa = await resignedAccessToken(admin.token, { amr: ['pwd'] });
    const { client_id: id } = (await request(201, 'POST', '/admin/clients', { json: WEB_APP, ...as(admin.token) })).body;

    expect((await request(403, 'GET', '/admin/clients', as(usersOnly))).body.error).toBe('access_denied');
    await request(200, 'GET', `/admin/clients/${id}`, as(readOnly));
    const write = await request(403, 'POST', '/admin/clients', { json: WEB_APP, ...as(readOnly) });
    expect(write.body.error).toBe('access_denied');
    expect(write.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="clients:write"');
    expect((await request(403, 'DELETE', `/admin/clients/${id}`, as(readOnly))).body.error).toBe('access_denied');
    expect((await request(403, 'POST', `/admin/clients/${id}/secret`, as(readOnly))).body.error).toBe('access_denied');
    expect((await request(403, 'GET', `/admin/clients/${id}`, as(noMfa))).body.error).toBe('mfa_required_for_admin');
    expect((await request(403, 'DELETE', `/admin/clients/${id}`, as(noMfa))).body.error).toBe('mfa_required_for_admin');
    // Nothing was done.
    await request(200, 'GET', `/admin/clients/${id}`, as(admin.token));
  });
});
