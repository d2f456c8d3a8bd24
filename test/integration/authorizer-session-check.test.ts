import { createAuthorizerDeps, createAuthorizerHandler, type AuthorizerDecision } from '../../lib/authorizer/authorizer';
import { InvalidRefreshTokenError } from '../../lib/core/errors';
import { createPasswordHasher } from '../../lib/accounts/password';
import { createSessionLivenessCheck, LIVE_CACHE_MS } from '../../lib/authorizer/session-check';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { createDynamoDbSessionStore } from '../../lib/aws/dynamodb-session-store';
import { createTestApp, PASSWORD, testEnv, uniqueEmail } from '../support/fixtures';

const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/me';

// AUTHORIZER_CHECK_SESSION=true against DynamoDB Local: ended sessions lose their access tokens.
describe('session-checking authorizer', () => {
  async function setup() {
    const env = await testEnv({ AUTHORIZER_CHECK_SESSION: 'true' });
    const { app, clock } = await createTestApp(env, { passwords });
    const reads: string[] = [];
    const store = createDynamoDbSessionStore(createDocumentClient({ endpoint: env.DYNAMODB_ENDPOINT, onRequest: (op) => reads.push(op) }), env.SESSIONS_TABLE!);
    const decisions: AuthorizerDecision[] = [];
    const authorizer = createAuthorizerHandler(
      () => createAuthorizerDeps(env, { clock, sessionCheck: (_config, authClock) => createSessionLivenessCheck(store, authClock), onDecision: (decision) => void decisions.push(decision) }),
    );
    const email = uniqueEmail();
    await app.accounts.register(email, PASSWORD);
    const authorize = (token: string) => authorizer({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });
    return { app, clock, reads, decisions, authorize, login: () => app.sessions.login(email, PASSWORD, {}) };
  }

  it('allows a live session with one read, then serves it from memory', async () => {
    const { login, authorize, reads } = await setup();
    const tokens = await login();
    await expect(authorize(tokens.accessToken)).resolves.toMatchObject({ principalId: tokens.userId, context: { sid: tokens.sessionId } });
    await authorize(tokens.accessToken);
    expect(reads).toEqual(['GetItem']);
  });

  it('refuses the access token of a logged-out session once the in-memory entry has aged out', async () => {
    const { app, login, authorize, clock, reads, decisions } = await setup();
    const tokens = await login();
    await authorize(tokens.accessToken);
    await app.sessions.logout(tokens.refreshToken);
    clock.advance(LIVE_CACHE_MS);
    await expect(authorize(tokens.accessToken)).rejects.toThrow(/^Unauthorized$/);
    expect(reads).toEqual(['GetItem', 'GetItem']);
    expect(decisions.at(-1)).toEqual({ allowed: false, reason: 'session_ended' });
    // An ended session does not come back: no further reads for it.
    clock.advance(LIVE_CACHE_MS);
    await expect(authorize(tokens.accessToken)).rejects.toThrow(/^Unauthorized$/);
    expect(reads).toHaveLength(2);
  });

  it('refuses tokens of sessions ended by logout-all, by deletion and by reuse revocation', async () => {
    const { app, login, authorize } = await setup();
    const [a, b, c] = [await login(), await login(), await login()];
    await app.sessions.endSession(a.userId, a.sessionId);
    await expect(authorize(a.accessToken)).rejects.toThrow('Unauthorized');
    const first = await app.sessions.refresh(b.refreshToken, {});
    const second = await app.sessions.refresh(first.refreshToken, {});
    await expect(app.sessions.refresh(b.refreshToken, {})).rejects.toThrow(InvalidRefreshTokenError); // two generations back: reuse
    await expect(authorize(second.accessToken)).rejects.toThrow('Unauthorized');
    await app.sessions.logoutAll(c.userId, {});
    await expect(authorize(c.accessToken)).rejects.toThrow('Unauthorized');
  });

});
