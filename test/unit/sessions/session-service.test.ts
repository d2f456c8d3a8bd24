import { createPasswordHasher } from '../../../lib/accounts/password';
import { createKeyring } from '../../../lib/core/keyring';
import { InvalidCredentialsError, InvalidRefreshTokenError, TooManyAttemptsError } from '../../../lib/core/errors';
import { isSessionLive } from '../../../lib/sessions/session';
import { PASSWORD_PROOF } from '../../../lib/sessions/sign-in';
import { createTestApp, PASSWORD, uniqueEmail } from '../../support/fixtures';

// The domain rules on the in-memory stores: no DynamoDB involved.
const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '192.0.2.1' };

async function setup(env: Record<string, string> = {}) {
  const context = await createTestApp(env, { stores: 'memory', passwords });
  const email = uniqueEmail();
  await context.app.accounts.register(email, PASSWORD);
  return { ...context, email, login: () => context.app.sessions.login(email, PASSWORD, client) };
}

describe('session rules on in-memory stores', () => {
  it('a session is live strictly before the earlier of its expiries, and never once revoked', () => {
    const session = { idleExpiresAt: 2_000, absoluteExpiresAt: 3_000, revokedAt: undefined };
    expect(isSessionLive(session, 1_999)).toBe(true);
    expect(isSessionLive(session, 2_000)).toBe(false);
    expect(isSessionLive({ ...session, revokedAt: 1 }, 0)).toBe(false);
  });

  it('inside the grace window the previous token gets the same successor; at its end it is reuse', async () => {
    const { app, login, clock, log } = await setup();
    const first = await login();
    const second = await app.sessions.refresh(first.refreshToken, client);
    clock.advance(9_999);
    expect((await app.sessions.refresh(first.refreshToken, client)).refreshToken).toBe(second.refreshToken);
    clock.advance(1);
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(second.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    expect(log.lines.filter((line) => line.security_event === 'refresh_token_reuse')).toHaveLength(1);
  });

  it('any earlier generation, not only the previous one, is reuse and ends the session', async () => {
    const { app, login } = await setup();
    const first = await login();
    const second = await app.sessions.refresh(first.refreshToken, client);
    const third = await app.sessions.refresh(second.refreshToken, client);
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(third.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('no refresh outlives the absolute expiry', async () => {
    const { app, login, clock } = await setup({ SESSION_MAX_AGE_SECONDS: '120', REFRESH_TOKEN_TTL_SECONDS: '100' });
    let tokens = await login();
    clock.advance(90_000);
    tokens = await app.sessions.refresh(tokens.refreshToken, client);
    expect(tokens.refreshTokenExpiresIn).toBeLessThanOrEqual(30);
    clock.advance(30_000);
    await expect(app.sessions.refresh(tokens.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('the throttle counts attempts first: the 3rd failure is 401, then 429 even with the right password', async () => {
    const { app, email, clock } = await setup({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_SECONDS: '60' });
    for (let attempt = 0; attempt < 3; attempt++) await expect(app.sessions.login(email, 'wrong password!', client)).rejects.toThrow(InvalidCredentialsError);
    await expect(app.sessions.login(email, PASSWORD, client)).rejects.toThrow(TooManyAttemptsError);
    clock.advance(60_000);
    await expect(app.sessions.login(email, PASSWORD, client)).resolves.toMatchObject({ accessToken: expect.any(String) });
  });

  it('a refresh token made under the previous hash key still works after a hash-key rotation', async () => {
    const before = await setup();
    const tokens = await before.login();
    const { createRefreshTokenCodec } = await import('../../../lib/tokens/refresh-token');
    const oldKey = Buffer.from(before.env.REFRESH_TOKEN_HASH_KEY!, 'base64url');
    const newKey = Buffer.alloc(32, 7);
    const rotated = createRefreshTokenCodec(createKeyring(newKey, oldKey));
    const parsed = rotated.parse(tokens.refreshToken);
    expect(parsed.keyIndex).toBe(1);
    expect(rotated.hash(parsed)).toBe(before.refreshTokens.hash(before.refreshTokens.parse(tokens.refreshToken)));
    expect(rotated.parse(rotated.successorOf(parsed).value).keyIndex).toBe(0);
    expect(() => createRefreshTokenCodec(createKeyring(newKey)).parse(tokens.refreshToken)).toThrow(InvalidRefreshTokenError);
  });
});

describe('a hash-key rotation in progress', () => {
  it('a retry inside the grace window that reaches a container on the other key is refused, and the session lives on', async () => {
    const { createSessionIssuer } = await import('../../../lib/sessions/session-service');
    const { createMemorySessionStore } = await import('../../../lib/sessions/memory-session-store');
    const { createRefreshTokenCodec } = await import('../../../lib/tokens/refresh-token');
    const { frozenClock, capturingLogger } = await import('../../support/fixtures');
    const clock = frozenClock();
    const sessions = createMemorySessionStore();
    const [oldKey, newKey] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const policy = { refreshTokenTtlSeconds: 3600, sessionMaxAgeSeconds: 7200, refreshReuseGraceSeconds: 10, sessionLimitPerUser: 10 };
    const accessTokens = { issue: async () => ({ token: 'access', expiresIn: 900 }) };
    const log = capturingLogger();
    const issuerOn = (current: Buffer, previous?: Buffer) =>
      createSessionIssuer({ policy, clock, sessions, accessTokens, refreshTokens: createRefreshTokenCodec(createKeyring(current, previous)), logger: log.logger });
    const oldContainer = issuerOn(oldKey);
    const newContainer = issuerOn(newKey, oldKey);
    const first = await oldContainer.open('user-1', [PASSWORD_PROOF], client);
    const rotated = await newContainer.refresh(first.refreshToken, client);
    clock.advance(1_000);
    await expect(oldContainer.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    expect(log.lines.filter((line) => line.security_event === 'refresh_token_reuse')).toEqual([]);
    await expect(newContainer.refresh(rotated.refreshToken, client)).resolves.toMatchObject({ sessionId: first.sessionId });
  });
});
