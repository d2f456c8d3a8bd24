import { bearer, call } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

// The session cap, paging and logout-all over HTTP, against serverless-offline and DynamoDB Local.
describe('sessions over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer({ SESSION_LIMIT_PER_USER: '2' });
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const login = async (email: string) => {
    const result = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    expect(result.status).toBe(200);
    return result.body as { access_token: string; refresh_token: string };
  };

  it('a login beyond SESSION_LIMIT_PER_USER ends the least recently used session, whose refresh token then fails', async () => {
    const email = uniqueEmail('cap');
    expect((await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const first = await login(email);
    const second = await login(email);
    const refreshedFirst = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: first.refresh_token } });
    expect(refreshedFirst.status).toBe(200); // now the second session is the least recently used
    const third = await login(email);
    const refused = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: second.refresh_token } });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'invalid_refresh_token', message: expect.any(String) });
    const listing = await call(base, 'GET', '/auth/sessions', { headers: bearer(third.access_token) });
    expect(listing.status).toBe(200);
    expect(listing.body.sessions).toHaveLength(2);
    expect(listing.body.next_cursor).toBeUndefined();
    expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: refreshedFirst.body.refresh_token } })).status).toBe(200);
  });

  it('a cursor that is not ours is 400 invalid_request', async () => {
    const email = uniqueEmail('cursor');
    await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    const tokens = await login(email);
    const result = await call(base, 'GET', '/auth/sessions?cursor=bm90LWEtY3Vyc29y.AAAAAAAAAAAAAAAAAAAAAA', { headers: bearer(tokens.access_token) });
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ error: 'invalid_request', message: expect.any(String) });
  });

  it('logout-all answers 204 once every session has ended, and again when repeated', async () => {
    const email = uniqueEmail('all');
    await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    const [a, b] = [await login(email), await login(email)];
    expect((await call(base, 'POST', '/auth/logout-all', { headers: bearer(b.access_token) })).status).toBe(204);
    expect((await call(base, 'POST', '/auth/logout-all', { headers: bearer(b.access_token) })).status).toBe(204);
    for (const tokens of [a, b]) expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: tokens.refresh_token } })).status).toBe(401);
  });
});
