import { localClient } from '../../scripts/dev/dynamodb-local';
import { tableNames } from '../../infra/tables.js';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { bearer, call } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

type SecurityEventView = { id: string; type: string; time: string; user_id: string; actor_id: string | null; session_id: string | null; ip: string | null; user_agent: string | null; details: Record<string, unknown> };

// The audit trail end to end: security events recorded by the functions under serverless-offline,
// read back at GET /me/security-events, and what an account's deletion leaves in the audit table.
describe('security events over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  beforeAll(async () => {
    server = await startTestServer();
    base = server.baseUrl;
  });
  afterAll(() => server?.stop());

  const register = async (prefix: string) => {
    const email = uniqueEmail(prefix);
    expect((await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    return email;
  };
  const login = async (email: string, userAgent = 'audit-e2e/1.0') => {
    const result = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD }, headers: { 'User-Agent': userAgent } });
    expect(result.status).toBe(200);
    return result.body as { access_token: string; refresh_token: string };
  };
  const events = async (accessToken: string, cursor?: string) => {
    const result = await call(base, 'GET', `/me/security-events${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: bearer(accessToken) });
    expect(result.status).toBe(200);
    return result.body as { events: SecurityEventView[]; next_cursor?: string };
  };
  const subOf = (accessToken: string) => JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')).sub as string;

  it('shows a sign-in with its address and user agent, and a failed one before it, newest first', async () => {
    // Prepare
    const email = await register('audit-login');
    const failed = await call(base, 'POST', '/auth/login', { json: { email, password: `${PASSWORD}?` }, headers: { 'User-Agent': 'guesser/0.1' } });
    expect(failed.status).toBe(401);

    // Act
    const tokens = await login(email, 'audit-e2e/1.0 (laptop)');
    const page = await events(tokens.access_token);

    // Assess
    const sid = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString('utf8')).sid as string;
    expect(page).toEqual({
      events: [
        {
          id: expect.any(String),
          type: 'login_succeeded',
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          user_id: subOf(tokens.access_token),
          actor_id: null,
          session_id: sid,
          ip: expect.stringMatching(/^[0-9a-f:.]+$/i),
          user_agent: 'audit-e2e/1.0 (laptop)',
          details: { method: 'password', amr: 'pwd' },
        },
        expect.objectContaining({ type: 'login_failed', user_agent: 'guesser/0.1', session_id: null, details: {} }),
      ],
    });
    expect(Date.parse(page.events[0]!.time)).toBeGreaterThanOrEqual(Date.parse(page.events[1]!.time));
    // Nothing secret travels in an event: no token, no password, no email.
    const text = JSON.stringify(page);
    for (const secret of [PASSWORD, tokens.refresh_token, email]) expect(text.includes(secret)).toBe(false);
  });

  it('records logout, logout-all and a password change, with the caller\'s session', async () => {
    const email = await register('audit-flows');
    const first = await login(email);
    expect((await call(base, 'POST', '/auth/logout', { json: { refresh_token: first.refresh_token } })).status).toBe(204);
    const second = await login(email);
    expect((await call(base, 'POST', '/auth/password/change', { headers: bearer(second.access_token), json: { current_password: PASSWORD, new_password: `${PASSWORD} 2` } })).status).toBe(204);
    expect((await call(base, 'POST', '/auth/logout-all', { headers: bearer(second.access_token) })).status).toBe(204);

    const page = await events(second.access_token);

    const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).sid as string;
    expect(page.events.map(({ type, session_id }) => [type, session_id])).toEqual([
      ['logout_all', sid(second.access_token)],
      ['password_changed', sid(second.access_token)],
      ['login_succeeded', sid(second.access_token)],
      ['logout', sid(first.access_token)],
      ['login_succeeded', sid(first.access_token)],
    ]);
    expect(page.events[0]!.details).toEqual({ sessions_ended: 1 });
  });

  it('pages 50 at a time with next_cursor, each event once, and never shows another user\'s events or accepts their cursor', async () => {
    // Prepare: 52 sign-ins of one account, one of another.
    const email = await register('audit-pages');
    const other = await login(await register('audit-other'));
    let last: { access_token: string } | undefined;
    for (let batch = 0; batch < 13; batch++) [last] = await Promise.all(Array.from({ length: 4 }, () => login(email)));

    // Act
    const first = await events(last!.access_token);
    const second = await events(last!.access_token, first.next_cursor);
    const foreign = await call(base, 'GET', `/me/security-events?cursor=${encodeURIComponent(first.next_cursor!)}`, { headers: bearer(other.access_token) });

    // Assess
    expect(first.events).toHaveLength(50);
    expect(first.next_cursor).toEqual(expect.any(String));
    const all = [...first.events, ...second.events];
    if (second.next_cursor) all.push(...(await events(last!.access_token, second.next_cursor)).events);
    expect(all).toHaveLength(52);
    expect(new Set(all.map((event) => event.id)).size).toBe(52);
    expect(new Set(all.map((event) => event.user_id))).toEqual(new Set([subOf(last!.access_token)]));
    const times = all.map((event) => Date.parse(event.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(foreign.status).toBe(400);
    expect(foreign.body).toEqual({ error: 'invalid_request', message: expect.any(String) });
    expect((await events(other.access_token)).events.map((event) => event.user_id)).toEqual([subOf(other.access_token)]);
  });

  it('deleting an account deletes its events but the record of the deletion, which holds no email', async () => {
    // Prepare
    const email = await register('audit-delete');
    await call(base, 'POST', '/auth/login', { json: { email, password: 'wrong password here' } });
    const tokens = await login(email);
    const userId = subOf(tokens.access_token);

    // Act
    expect((await call(base, 'DELETE', '/me', { headers: bearer(tokens.access_token), json: { password: PASSWORD } })).status).toBe(204);

    // Assess: straight from the audit table, as an admin's listing would read it.
    const client = localClient(process.env.TEST_DYNAMODB_ENDPOINT!);
    try {
      const { Items = [] } = await client.send(
        new QueryCommand({ TableName: tableNames('jwt-auth', 'dev').audit, KeyConditionExpression: 'userId = :u', ExpressionAttributeValues: { ':u': { S: userId } } }),
      );
      const items = Items.map((item) => unmarshall(item));
      expect(items.map((item) => item.type)).toEqual(['account_deleted']);
      expect(JSON.stringify(items).includes(email)).toBe(false);
      expect(items[0]!.ttl).toBeGreaterThan(Date.now() / 1000 + 399 * 86_400);
    } finally {
      client.destroy();
    }
  });
});
