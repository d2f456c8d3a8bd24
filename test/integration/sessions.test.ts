import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { InvalidCredentialsError, InvalidRefreshTokenError, NotFoundError, ServiceUnavailableError, TooManyAttemptsError } from '../../lib/core/errors';
import { createPasswordHasher } from '../../lib/accounts/password';
import type { IssuedTokens } from '../../lib/sessions/session-service';
import { localClient } from '../../scripts/dev/dynamodb-local';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';

// Cheap argon2id parameters keep these tests fast; the real parameters are covered in password.test.ts.
const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '203.0.113.7' };
const issuedSecrets: string[] = [PASSWORD];
const remember = (tokens: IssuedTokens) => {
  issuedSecrets.push(tokens.refreshToken, tokens.refreshToken.split('.')[1]!);
  return tokens;
};

async function setup(env: Record<string, string> = {}) {
  const context = await createTestApp(env, { passwords });
  const email = uniqueEmail();
  await context.app.accounts.register(email, PASSWORD);
  const login = async (userAgent = client.userAgent) => remember(await context.app.sessions.login(email, PASSWORD, { ...client, userAgent }));
  const refresh = async (token: string) => remember(await context.app.sessions.refresh(token, client));
  return { ...context, email, login, refresh };
}

describe('sessions against DynamoDB Local', () => {
  it('login counts the attempt, reads the account, resets the count, checks the session cap and opens a session guarded by the verified hash; refresh rotates with exactly one request', async () => {
    const { login, refresh, requests } = await setup();
    requests.length = 0;
    const first = await login();
    expect([...requests].sort()).toEqual(['DeleteItem', 'GetItem', 'Query', 'TransactWriteItems', 'UpdateItem']);
    requests.length = 0;
    const second = await refresh(first.refreshToken);
    expect(requests).toEqual(['UpdateItem']);
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    requests.length = 0;
    await refresh(second.refreshToken);
    expect(requests).toEqual(['UpdateItem']);
  });

  it('register is one transactional request; logout is one request', async () => {
    const { app, login, requests } = await setup();
    requests.length = 0;
    await app.accounts.register(uniqueEmail(), PASSWORD);
    expect(requests).toEqual(['TransactWriteItems']);
    const tokens = await login();
    requests.length = 0;
    await app.sessions.logout(tokens.refreshToken);
    expect(requests).toEqual(['UpdateItem']);
  });

  it('reuse after the grace window revokes the whole session and logs one security event', async () => {
    const { app, login, refresh, clock, log } = await setup();
    const first = await login();
    const second = await refresh(first.refreshToken);
    clock.advance(10_000); // exactly the 10 s window: outside it
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    // The thief's or the user's successor is now dead as well.
    await expect(app.sessions.refresh(second.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    const events = log.lines.filter((line) => line.security_event === 'refresh_token_reuse');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ userId: first.userId, sessionId: first.sessionId, ip: client.ip, userAgent: client.userAgent, reason: expect.any(String) });
    for (const line of log.raw) for (const secret of issuedSecrets) expect(line).not.toContain(secret);
  });

  it('inside the grace window the previous token gets the same successor, and the successor keeps working', async () => {
    const { login, refresh, clock } = await setup();
    const first = await login();
    const second = await refresh(first.refreshToken);
    clock.advance(9_999);
    const retry = await refresh(first.refreshToken);
    expect(retry.refreshToken).toBe(second.refreshToken);
    expect(retry.accessToken).toEqual(expect.any(String));
    const third = await refresh(second.refreshToken);
    expect(third.sessionId).toBe(first.sessionId);
  });

  it('only the immediately previous token gets grace: an older one is reuse even inside the window', async () => {
    const { app, login, refresh } = await setup();
    const first = await login();
    const second = await refresh(first.refreshToken);
    const third = await refresh(second.refreshToken);
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(third.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('ten parallel refreshes with one token make one rotation and all get the same successor', async () => {
    const { login, refresh, requests } = await setup();
    const first = await login();
    requests.length = 0;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => refresh(first.refreshToken)));
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const successors = new Set(results.map((result) => (result as PromiseFulfilledResult<IssuedTokens>).value.refreshToken));
    expect(successors.size).toBe(1);
    expect(requests.filter((operation) => operation === 'UpdateItem')).toHaveLength(10);
    // One rotation: the successor is generation 1, and it rotates normally.
    const next = await refresh([...successors][0]!);
    expect(next.sessionId).toBe(first.sessionId);
  });

  it('a forged secret for a real session id is refused without ending the session', async () => {
    const { app, login, refresh } = await setup();
    const first = await login();
    const forged = `${first.sessionId}.${'A'.repeat(75)}`;
    await expect(app.sessions.refresh(forged, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(refresh(first.refreshToken)).resolves.toMatchObject({ sessionId: first.sessionId });
  });

  it('idle expiry: refused at exactly the idle deadline, accepted a millisecond before; each refresh renews it', async () => {
    const { app, login, refresh, clock } = await setup({ REFRESH_TOKEN_TTL_SECONDS: '3600' });
    const first = await login();
    clock.advance(3_600_000 - 1);
    const second = await refresh(first.refreshToken);
    expect(second.refreshTokenExpiresIn).toBe(3600);
    clock.advance(3_600_000);
    await expect(app.sessions.refresh(second.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('absolute expiry: no refresh extends a session past its maximum age', async () => {
    const { app, login, refresh, clock } = await setup({ REFRESH_TOKEN_TTL_SECONDS: '3600', SESSION_MAX_AGE_SECONDS: '7200' });
    const loginAt = Math.floor(clock.now() / 1000) * 1000;
    clock.set(loginAt);
    let tokens = await login();
    clock.advance(3_000_000);
    tokens = await refresh(tokens.refreshToken);
    clock.advance(3_000_000);
    tokens = await refresh(tokens.refreshToken);
    expect(tokens.refreshTokenExpiresIn).toBe(7200 - 6000); // capped by the absolute lifetime, not 3600
    clock.set(loginAt + 7_200_000 - 1);
    tokens = await refresh(tokens.refreshToken);
    clock.set(loginAt + 7_200_000);
    await expect(app.sessions.refresh(tokens.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('an expired session item that DynamoDB has not deleted yet is still refused', async () => {
    const { app, login, clock } = await setup({ REFRESH_TOKEN_TTL_SECONDS: '60' });
    const first = await login();
    clock.advance(61_000);
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    const stillStored = await localClient(process.env.TEST_DYNAMODB_ENDPOINT!).send(
      new ScanCommand({ TableName: process.env.TEST_SESSIONS_TABLE, FilterExpression: 'id = :id', ExpressionAttributeValues: { ':id': { S: first.sessionId } } }),
    );
    expect(stillStored.Items).toHaveLength(1);
    expect(await app.sessions.listSessions(first.userId, first.sessionId)).toEqual({ sessions: [] });
  });

  it('logout ends the session and is idempotent', async () => {
    const { app, login } = await setup();
    const tokens = await login();
    await app.sessions.logout(tokens.refreshToken);
    await app.sessions.logout(tokens.refreshToken);
    await expect(app.sessions.refresh(tokens.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.logout('not-a-token')).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('lists live sessions newest first, marks the current one, and hides ended ones', async () => {
    const { app, login, clock } = await setup();
    const a = await login('browser-a');
    clock.advance(1000);
    const b = await login('browser-b');
    clock.advance(1000);
    const c = await login('browser-c');
    await app.sessions.logout(a.refreshToken);
    const { sessions: list } = await app.sessions.listSessions(b.userId, b.sessionId);
    expect(list.map((session) => session.id)).toEqual([c.sessionId, b.sessionId]);
    expect(list.map((session) => session.current)).toEqual([false, true]);
    expect(list[1]).toEqual({
      id: b.sessionId,
      created_at: expect.any(String),
      last_used_at: expect.any(String),
      expires_at: expect.any(String),
      user_agent: 'browser-b',
      ip: client.ip,
      current: true,
    });
    expect(JSON.stringify(list)).not.toMatch(/hash/i);
  });

  it('ends one own session, but not somebody else\'s (404) nor an unknown one', async () => {
    const mine = await setup();
    const theirs = await setup();
    const myTokens = await mine.login();
    const theirTokens = await theirs.login();
    await expect(mine.app.sessions.endSession(myTokens.userId, theirTokens.sessionId)).rejects.toThrow(NotFoundError);
    await expect(theirs.refresh(theirTokens.refreshToken)).resolves.toBeDefined();
    await expect(mine.app.sessions.endSession(myTokens.userId, 'AAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow(NotFoundError);
    await mine.app.sessions.endSession(myTokens.userId, myTokens.sessionId);
    await expect(mine.app.sessions.refresh(myTokens.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(mine.app.sessions.endSession(myTokens.userId, myTokens.sessionId)).rejects.toThrow(NotFoundError);
  });

  it('logout-all ends every session of the caller and no one else\'s', async () => {
    const mine = await setup();
    const theirs = await setup();
    const sessions = [await mine.login(), await mine.login(), await mine.login()];
    const other = await theirs.login();
    expect(await mine.app.sessions.logoutAll(sessions[0]!.userId, client)).toBe(3);
    for (const tokens of sessions) await expect(mine.app.sessions.refresh(tokens.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(theirs.refresh(other.refreshToken)).resolves.toBeDefined();
  });

  it('throttles an email after LOGIN_MAX_FAILURES failures, even with the right password, then recovers', async () => {
    const { app, email, clock, log } = await setup({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '60' });
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(InvalidCredentialsError);
    }
    const throttled = await app.sessions.login(email, PASSWORD, client).catch((error: unknown) => error);
    expect(throttled).toBeInstanceOf(TooManyAttemptsError);
    expect((throttled as TooManyAttemptsError).headers['Retry-After']).toBe('60');
    clock.advance(30_000);
    const later = (await app.sessions.login(email, PASSWORD, client).catch((error: unknown) => error)) as TooManyAttemptsError;
    expect(later.retryAfterSeconds).toBe(30);
    clock.advance(30_000);
    await expect(app.sessions.login(email, PASSWORD, client)).resolves.toBeDefined();
    expect(log.lines.filter((line) => line.security_event === 'login_failed')).toHaveLength(3);
    expect(log.lines.filter((line) => line.security_event === 'login_throttled')).toHaveLength(2);
  });

  it('a successful login resets the failure count', async () => {
    const { app, email, requests } = await setup({ LOGIN_MAX_FAILURES: '3' });
    await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(InvalidCredentialsError);
    await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(InvalidCredentialsError);
    requests.length = 0;
    await app.sessions.login(email, PASSWORD, client);
    expect([...requests].sort()).toEqual(['DeleteItem', 'GetItem', 'Query', 'TransactWriteItems', 'UpdateItem']);
    await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(InvalidCredentialsError);
    await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(InvalidCredentialsError);
    await expect(app.sessions.login(email, PASSWORD, client)).resolves.toBeDefined();
  });

  it('an unknown email gets the same error and is throttled the same way', async () => {
    const { app } = await setup({ LOGIN_MAX_FAILURES: '2' });
    const unknown = uniqueEmail('ghost');
    await expect(app.sessions.login(unknown, PASSWORD, client)).rejects.toThrow(InvalidCredentialsError);
    await expect(app.sessions.login(unknown, PASSWORD, client)).rejects.toThrow(InvalidCredentialsError);
    await expect(app.sessions.login(unknown, PASSWORD, client)).rejects.toThrow(TooManyAttemptsError);
  });

  it('answers 503 and issues nothing when DynamoDB cannot be reached', async () => {
    const { app } = await createTestApp({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }, { passwords });
    await expect(app.accounts.register(uniqueEmail(), PASSWORD)).rejects.toThrow(ServiceUnavailableError);
    await expect(app.sessions.login(uniqueEmail(), PASSWORD, client)).rejects.toThrow(ServiceUnavailableError);
  });

  it('at rest: no table item holds a refresh token, its secret or a password', async () => {
    // Its own account and tokens, so it needs no other test to have run first.
    const { login, refresh } = await setup();
    const first = await login();
    const second = await refresh(first.refreshToken);
    await refresh(second.refreshToken);
    const dynamo = localClient(process.env.TEST_DYNAMODB_ENDPOINT!);
    const items: string[] = [];
    for (const table of [process.env.TEST_USERS_TABLE!, process.env.TEST_SESSIONS_TABLE!]) {
      const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: table }));
      items.push(...Items.map((item) => JSON.stringify(unmarshall(item))));
    }
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(issuedSecrets.length).toBeGreaterThanOrEqual(7);
    for (const item of items) for (const secret of issuedSecrets) expect(item).not.toContain(secret);
  });
});
