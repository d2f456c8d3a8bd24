import { createPasswordHasher } from '../../lib/accounts/password';
import { InvalidRefreshTokenError, InvalidTokenError } from '../../lib/core/errors';
import type { IssuedTokens } from '../../lib/sessions/session-service';
import { claimsOf } from '../support/mfa-kit';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';

const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '203.0.113.7' };
const seconds = (ms: number) => Math.floor(ms / 1000);

// auth_time and re-authentication on the session itself, on the memory store and on DynamoDB
// Local: the same rules, and on DynamoDB the number of requests.
describe.each(['memory', 'dynamodb'] as const)('sessions and re-authentication (%s)', (stores) => {
  async function setup() {
    const context = await createTestApp({}, { passwords, stores });
    const email = uniqueEmail('reauth');
    const { userId } = await context.app.accounts.register(email, PASSWORD);
    return { ...context, email, userId, login: () => context.app.sessions.login(email, PASSWORD, client) };
  }
  const callerOf = (tokens: IssuedTokens) => ({ userId: tokens.userId, sessionId: tokens.sessionId });

  it('a login sets auth_time; a refresh keeps it (and stays one write on DynamoDB)', async () => {
    const { login, app, clock, requests } = await setup();
    const first = await login();
    const loggedInAt = seconds(clock.now());
    expect(claimsOf(first.accessToken)).toMatchObject({ auth_time: loggedInAt, amr: ['pwd'] });
    clock.advance(600_000);
    requests.length = 0;
    const refreshed = await app.sessions.refresh(first.refreshToken, client);
    if (stores === 'dynamodb') expect(requests).toEqual(['UpdateItem']);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ auth_time: loggedInAt, amr: ['pwd'], iat: seconds(clock.now()) });
  });

  it('a re-authentication writes a fresh auth_time and its amr onto the session in one write, without rotating the refresh token; later refreshes keep both', async () => {
    const { login, app, clock, requests } = await setup();
    const first = await login();
    clock.advance(3_600_000);
    requests.length = 0;
    const reauthenticated = await app.sessions.reauthenticate(callerOf(first), ['pwd', 'otp', 'mfa']);
    if (stores === 'dynamodb') expect(requests).toEqual(['UpdateItem']);
    expect(reauthenticated.expiresIn).toBe(900);
    expect(claimsOf(reauthenticated.accessToken)).toMatchObject({ sub: first.userId, sid: first.sessionId, auth_time: seconds(clock.now()), amr: ['pwd', 'otp', 'mfa'] });
    const reauthenticatedAt = seconds(clock.now());
    clock.advance(60_000);
    // The refresh token of the login still works: it was not rotated.
    const refreshed = await app.sessions.refresh(first.refreshToken, client);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ auth_time: reauthenticatedAt, amr: ['pwd', 'otp', 'mfa'] });
  });

  it('refuses to re-authenticate an ended session, or another user\'s, with invalid_token', async () => {
    const { login, app } = await setup();
    const first = await login();
    await expect(app.sessions.reauthenticate({ userId: 'someone-else', sessionId: first.sessionId }, ['pwd'])).rejects.toThrow(InvalidTokenError);
    await app.sessions.logout(first.refreshToken);
    await expect(app.sessions.reauthenticate(callerOf(first), ['pwd'])).rejects.toMatchObject({ code: 'invalid_token', status: 401 });
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('ends exactly the sessions a passkey opened or re-authenticated', async () => {
    const { login, app, userId } = await setup();
    const byPassword = await login();
    const byPasskey = await app.sessions.openWithPasskey(userId, 'passkey-a', client);
    const byOtherPasskey = await app.sessions.openWithPasskey(userId, 'passkey-b', client);
    const reauthenticatedWithIt = await login();
    await app.sessions.reauthenticate(callerOf(reauthenticatedWithIt), ['hwk', 'user', 'mfa'], 'passkey-a');
    await expect(app.sessions.endSessionsOfPasskey(userId, 'passkey-a')).resolves.toBe(2);
    await expect(app.sessions.refresh(byPasskey.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(reauthenticatedWithIt.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(byPassword.refreshToken, client)).resolves.toMatchObject({ sessionId: byPassword.sessionId });
    await expect(app.sessions.refresh(byOtherPasskey.refreshToken, client)).resolves.toMatchObject({ sessionId: byOtherPasskey.sessionId });
    await expect(app.sessions.endSessionsOfPasskey(userId, 'passkey-a')).resolves.toBe(0);
  });
});
