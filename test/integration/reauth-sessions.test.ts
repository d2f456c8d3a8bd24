import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createPasswordHasher } from '../../lib/accounts/password';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { loadStorageConfig } from '../../lib/core/config';
import { InvalidRefreshTokenError, InvalidTokenError } from '../../lib/core/errors';
import type { IssuedTokens } from '../../lib/sessions/session-service';
import { claimsOf } from '../support/mfa-kit';
import { PASSWORD_PROOF, passkeyProof, secondFactorProof } from '../../lib/sessions/sign-in';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';
import { sessionClaimsWith } from '../../lib/tokens/session-claims';

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
    const reauthenticated = await app.sessions.reauthenticate(callerOf(first), [PASSWORD_PROOF, secondFactorProof('totp', true)]);
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
    await expect(app.sessions.reauthenticate({ userId: 'someone-else', sessionId: first.sessionId }, [PASSWORD_PROOF])).rejects.toThrow(InvalidTokenError);
    await app.sessions.logout(first.refreshToken);
    await expect(app.sessions.reauthenticate(callerOf(first), [PASSWORD_PROOF])).rejects.toMatchObject({ code: 'invalid_token', status: 401 });
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
  });

  it('ends exactly the sessions a passkey opened or re-authenticated', async () => {
    const { login, app, userId } = await setup();
    const byPassword = await login();
    const byPasskey = await app.sessions.openWithPasskey(userId, 'passkey-a', client);
    const byOtherPasskey = await app.sessions.openWithPasskey(userId, 'passkey-b', client);
    const reauthenticatedWithIt = await login();
    await app.sessions.reauthenticate(callerOf(reauthenticatedWithIt), [passkeyProof('passkey-a', true)]);
    await expect(app.sessions.endSessionsOfPasskey(userId, 'passkey-a')).resolves.toBe(2);
    await expect(app.sessions.refresh(byPasskey.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(reauthenticatedWithIt.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(byPassword.refreshToken, client)).resolves.toMatchObject({ sessionId: byPassword.sessionId });
    await expect(app.sessions.refresh(byOtherPasskey.refreshToken, client)).resolves.toMatchObject({ sessionId: byOtherPasskey.sessionId });
    await expect(app.sessions.endSessionsOfPasskey(userId, 'passkey-a')).resolves.toBe(0);
  });
});

// Sessions stored before the `claims` map kept amr and authTime (epoch ms) as attributes, and the
// oldest ones neither: they are still read, refreshed and re-authenticated correctly.
describe('sessions stored before their claims map (DynamoDB)', () => {
  async function legacySession(attributes: { amr?: string[]; authTime?: number }) {
    const context = await createTestApp({}, { passwords });
    const email = uniqueEmail('legacy');
    await context.app.accounts.register(email, PASSWORD);
    const first = await context.app.sessions.login(email, PASSWORD, client);
    const documents = createDocumentClient({ endpoint: loadStorageConfig(context.env).dynamoDbEndpoint });
    const set = Object.keys(attributes).map((name) => `${name} = :${name}`);
    await documents.send(
      new UpdateCommand({
        TableName: loadStorageConfig(context.env).sessionsTable,
        Key: { id: first.sessionId },
        UpdateExpression: `REMOVE claims${set.length ? ` SET ${set.join(', ')}` : ''}`,
        ...(set.length ? { ExpressionAttributeValues: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [`:${name}`, value])) } : {}),
      }),
    );
    return { ...context, first };
  }

  it('reads amr and authTime attributes as the claims, and a refresh signs them', async () => {
    const { app, clock, first, sessionStore } = await legacySession({ amr: ['pwd', 'otp', 'mfa'], authTime: Date.UTC(2026, 0, 1, 8) + 999 });
    expect((await sessionStore.get(first.sessionId))?.claims).toEqual(sessionClaimsWith({ amr: ['pwd', 'otp', 'mfa'], authTime: seconds(Date.UTC(2026, 0, 1, 8)) }));
    clock.advance(1_000);
    const refreshed = await app.sessions.refresh(first.refreshToken, client);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], auth_time: seconds(Date.UTC(2026, 0, 1, 8)) });
  });

  it('reads a session without either as a password login whose last sign-in was its creation', async () => {
    const { first, sessionStore } = await legacySession({});
    const session = await sessionStore.get(first.sessionId);
    expect(session?.claims).toEqual(sessionClaimsWith({ amr: ['pwd'], authTime: seconds(session!.createdAt) }));
  });

  it('a re-authentication writes the map, which wins over the old attributes from then on', async () => {
    const { app, clock, first, sessionStore } = await legacySession({ amr: ['pwd'], authTime: 1_000 });
    clock.advance(5_000);
    await app.sessions.reauthenticate({ userId: first.userId, sessionId: first.sessionId }, [passkeyProof('passkey-z', true)]);
    expect((await sessionStore.get(first.sessionId))?.claims).toEqual(sessionClaimsWith({ amr: ['hwk', 'user', 'mfa'], authTime: seconds(clock.now()) }));
    const refreshed = await app.sessions.refresh(first.refreshToken, client);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ amr: ['hwk', 'user', 'mfa'], auth_time: seconds(clock.now()) });
  });
});
