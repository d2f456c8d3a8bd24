import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { systemClock } from '../../lib/core/clock';
import { InvalidCredentialsError, InvalidRefreshTokenError, InvalidRequestError, ServiceUnavailableError, TooManyAttemptsError } from '../../lib/core/errors';
import { createPasswordHasher, type PasswordHasher } from '../../lib/accounts/password';
import { endAllSessions } from '../../lib/sessions/session-service';
import type { SessionStore } from '../../lib/sessions/session-store';
import { newSessionId } from '../../lib/tokens/refresh-token';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';
import { sessionClaimsWith } from '../../lib/tokens/session-claims';

const cheap = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '203.0.113.9' };

/** Sessions made straight in the store: 1,000 logins would be 1,000 password hashes. */
async function seedSessions(store: SessionStore, userId: string, count: number, start = Date.now()) {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - offset) }, async (_, index) => {
        const createdAt = start + offset + index;
        const id = newSessionId();
        ids.push(id);
        await store.create({ id, userId, createdAt, lastUsedAt: createdAt, idleExpiresAt: createdAt + 3_600_000, absoluteExpiresAt: createdAt + 7_200_000, generation: 0, tokenHash: 'seeded', claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(createdAt / 1000) }) });
      }),
    );
  }
  return ids;
}

describe('login throttle under concurrency (DynamoDB Local)', () => {
  it('20 concurrent wrong logins for one email make at most LOGIN_MAX_FAILURES password checks', async () => {
    let checks = 0;
    const counting: PasswordHasher = { ...cheap, verify: async (password, phc) => (checks++, cheap.verify(password, phc)) };
    const { app } = await createTestApp({ LOGIN_MAX_FAILURES: '5' }, { passwords: counting });
    const email = uniqueEmail('burst');
    await app.accounts.register(email, PASSWORD);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => app.sessions.login(email, 'wrong password!', client).catch((error: unknown) => error)));
    expect(checks).toBeLessThanOrEqual(5);
    expect(outcomes.filter((error) => error instanceof InvalidCredentialsError)).toHaveLength(checks);
    expect(outcomes.filter((error) => error instanceof TooManyAttemptsError)).toHaveLength(20 - checks);
    // The right password is refused too while locked, without a password check.
    const before = checks;
    await expect(app.sessions.login(email, PASSWORD, client)).rejects.toThrow(TooManyAttemptsError);
    expect(checks).toBe(before);
  });

  it('the 5th failure still answers 401, the 6th attempt 429, and a new window starts once the lock has passed', async () => {
    const { app, clock } = await createTestApp({ LOGIN_MAX_FAILURES: '5', LOGIN_LOCKOUT_SECONDS: '60' }, { passwords: cheap });
    const email = uniqueEmail('window');
    await app.accounts.register(email, PASSWORD);
    for (let attempt = 1; attempt <= 5; attempt++) await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(InvalidCredentialsError);
    await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(TooManyAttemptsError);
    clock.advance(60_000);
    await expect(app.sessions.login(email, PASSWORD, client)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });
});

describe('sessions at scale (DynamoDB Local)', () => {
  // The deadline is the test servers' Lambda timeout (LAMBDA_TIMEOUT_SECONDS=30) less the handler's
  // margin; how long 10, 100 and 1,000 sessions really take is measured by `npm run bench`.
  it('logout-all ends 1,000 sessions of one account in one call, before the Lambda deadline', async () => {
    const { app, sessionStore } = await createTestApp({}, { passwords: cheap });
    const account = await app.accounts.register(uniqueEmail('kiosk'), PASSWORD);
    await seedSessions(sessionStore, account.userId, 1000);
    const ended = await endAllSessions({ sessions: sessionStore, clock: systemClock }, account.userId, 'logout_all', { deadline: Date.now() + 29_000 });
    expect(ended).toBe(1000);
    expect((await sessionStore.listIndexed(account.userId, { limit: 10, newestFirst: true })).sessions).toEqual([]);
  });

  it('a logout-all that fails part-way answers 503, and the retry finishes the job', async () => {
    const { app, sessionStore, clock } = await createTestApp({}, { passwords: cheap });
    const account = await app.accounts.register(uniqueEmail('flaky'), PASSWORD);
    const ids = await seedSessions(sessionStore, account.userId, 30);
    const failing = new Set(ids.slice(0, 5));
    const flaky: SessionStore = {
      ...sessionStore,
      revoke: async (id, reason, now, condition) => {
        if (failing.delete(id)) throw new ServiceUnavailableError({ cause: new Error('ProvisionedThroughputExceededException') });
        return sessionStore.revoke(id, reason, now, condition);
      },
    };
    await expect(endAllSessions({ sessions: flaky, clock }, account.userId, 'logout_all')).rejects.toThrow(ServiceUnavailableError);
    expect(await endAllSessions({ sessions: flaky, clock }, account.userId, 'logout_all')).toBe(5);
    expect((await sessionStore.listIndexed(account.userId, { limit: 100, newestFirst: true })).sessions).toEqual([]);
  });

  it('a listing reads one page of the index and one batch, however many sessions were revoked', async () => {
    const { app, sessionStore, requests } = await createTestApp({}, { passwords: cheap });
    const account = await app.accounts.register(uniqueEmail('lister'), PASSWORD);
    const dead = await seedSessions(sessionStore, account.userId, 1000);
    await endAllSessions({ sessions: sessionStore, clock: systemClock }, account.userId, 'logout_all');
    const live = await seedSessions(sessionStore, account.userId, 10, Date.now() + 5_000);
    requests.length = 0;
    const listing = await app.sessions.listSessions(account.userId, live[0]!);
    expect(requests).toEqual(['Query', 'BatchGetItem']);
    expect(listing.sessions.map((session) => session.id).sort()).toEqual([...live].sort());
    expect(listing.next_cursor).toBeUndefined();
    expect(dead).toHaveLength(1000);
  });

  it('pages through 150 sessions newest first, 100 at a time, with a cursor bound to its user', async () => {
    const { app, sessionStore } = await createTestApp({}, { passwords: cheap });
    const account = await app.accounts.register(uniqueEmail('pager'), PASSWORD);
    const other = await app.accounts.register(uniqueEmail('other'), PASSWORD);
    await seedSessions(sessionStore, account.userId, 150);
    const first = await app.sessions.listSessions(account.userId, 'none');
    expect(first.sessions).toHaveLength(100);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await app.sessions.listSessions(account.userId, 'none', first.next_cursor);
    expect(second.sessions).toHaveLength(50);
    expect(second.next_cursor).toBeUndefined();
    const all = [...first.sessions, ...second.sessions];
    expect(new Set(all.map((session) => session.id)).size).toBe(150);
    expect(all.map((session) => session.created_at)).toEqual([...all.map((session) => session.created_at)].sort().reverse());
    await expect(app.sessions.listSessions(other.userId, 'none', first.next_cursor)).rejects.toThrow(InvalidRequestError);
    const tampered = `${first.next_cursor!.slice(0, -2)}AA`;
    await expect(app.sessions.listSessions(account.userId, 'none', tampered)).rejects.toThrow(InvalidRequestError);
    await expect(app.sessions.listSessions(account.userId, 'none', 'not a cursor')).rejects.toThrow(InvalidRequestError);
  });

  it('a refresh consumes one write unit: the item, and no index entry', async () => {
    const consumed: { operation: string; capacity: readonly ConsumedCapacity[] }[] = [];
    const { app } = await createTestApp({}, { passwords: cheap, onConsumedCapacity: (operation, capacity) => consumed.push({ operation, capacity }) });
    const email = uniqueEmail('wcu');
    await app.accounts.register(email, PASSWORD);
    const tokens = await app.sessions.login(email, PASSWORD, { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36', ip: '203.0.113.9' });
    consumed.length = 0;
    await app.sessions.refresh(tokens.refreshToken, client);
    expect(consumed).toHaveLength(1);
    const [{ operation, capacity }] = consumed as [{ operation: string; capacity: readonly ConsumedCapacity[] }];
    expect(operation).toBe('UpdateItem');
    expect(capacity[0]?.CapacityUnits).toBe(1);
    expect(capacity[0]?.GlobalSecondaryIndexes ?? {}).toEqual({});
  });

  it('a login beyond SESSION_LIMIT_PER_USER ends the session used least recently, and its refresh token stops working', async () => {
    const { app, clock } = await createTestApp({ SESSION_LIMIT_PER_USER: '3' }, { passwords: cheap });
    const email = uniqueEmail('capped');
    await app.accounts.register(email, PASSWORD);
    const first = await app.sessions.login(email, PASSWORD, client);
    clock.advance(1000);
    const second = await app.sessions.login(email, PASSWORD, client);
    clock.advance(1000);
    const third = await app.sessions.login(email, PASSWORD, client);
    clock.advance(1000);
    const firstAgain = await app.sessions.refresh(first.refreshToken, client); // now the second is used least recently
    clock.advance(1000);
    const fourth = await app.sessions.login(email, PASSWORD, client);
    await expect(app.sessions.refresh(second.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    for (const tokens of [firstAgain, third, fourth]) await expect(app.sessions.refresh(tokens.refreshToken, client)).resolves.toMatchObject({ sessionId: tokens.sessionId });
    const listing = await app.sessions.listSessions(fourth.userId, fourth.sessionId);
    expect(listing.sessions.map((session) => session.id).sort()).toEqual([first.sessionId, third.sessionId, fourth.sessionId].sort());
  });
});
