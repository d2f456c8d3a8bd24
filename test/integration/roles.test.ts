import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createPasswordHasher } from '../../lib/accounts/password';
import { changeRoles, grantRole, revokeRole } from '../../lib/authz/role-change';
import { roleChanges } from '../../lib/compose/parts/roles';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { loadStorageConfig } from '../../lib/core/config';
import { claimsOf, createMfaKit } from '../support/mfa-kit';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';

const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '203.0.113.8' };
const ADMIN_SCOPE = 'audit:read clients:read clients:write users:read users:write';

// Roles on DynamoDB Local through the functions' own composition: the login's claims, the sweep
// of a role change onto live sessions, and a refresh that stays one write.
describe.each(['memory', 'dynamodb'] as const)('roles and their sessions (%s)', (stores) => {
  async function setup() {
    const context = await createTestApp({}, { passwords, stores });
    const email = uniqueEmail('roles');
    const { userId } = await context.app.accounts.register(email, PASSWORD);
    const deps = await context.root.get(roleChanges);
    return { ...context, email, userId, deps, login: () => context.app.sessions.login(email, PASSWORD, client) };
  }

  it('a login of an account without roles says so: roles [] and no scope', async () => {
    const { login } = await setup();
    const claims = claimsOf((await login()).accessToken);
    expect(claims.roles).toEqual([]);
    expect(claims).not.toHaveProperty('scope');
  });

  it('a login of an admin carries its roles and every permission of config/roles.json', async () => {
    const { login, deps, userId } = await setup();
    await grantRole(deps, userId, 'admin');
    expect(claimsOf((await login()).accessToken)).toMatchObject({ roles: ['admin'], scope: ADMIN_SCOPE, amr: ['pwd'] });
  });

  it('a grant reaches the next refresh of every live session, and that refresh is still one DynamoDB write', async () => {
    // Arrange: two sessions before the grant.
    const { login, deps, userId, app, requests, clock } = await setup();
    const first = await login();
    const second = await login();
    // Act
    const change = await grantRole(deps, userId, 'admin');
    clock.advance(1_000);
    requests.length = 0;
    const refreshed = await app.sessions.refresh(first.refreshToken, client);
    // Assert
    if (stores === 'dynamodb') expect(requests).toEqual(['UpdateItem']);
    expect(change.sessionsUpdated).toBe(2);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ sid: first.sessionId, roles: ['admin'], scope: ADMIN_SCOPE, amr: ['pwd'] });
    expect(claimsOf((await app.sessions.refresh(second.refreshToken, client)).accessToken)).toMatchObject({ roles: ['admin'], scope: ADMIN_SCOPE });
  });

  it('a revocation reaches the next refresh; a re-authentication afterwards keeps the account\'s current roles', async () => {
    const { login, deps, userId, app, clock } = await setup();
    await changeRoles(deps, userId, ['admin']);
    const opened = await login();
    await revokeRole(deps, userId, 'admin');
    clock.advance(1_000);
    const refreshed = claimsOf((await app.sessions.refresh(opened.refreshToken, client)).accessToken);
    expect(refreshed.roles).toEqual([]);
    expect(refreshed).not.toHaveProperty('scope');
    const reauthenticated = await app.sessions.reauthenticate({ userId, sessionId: opened.sessionId }, [{ method: 'password' }]);
    expect(claimsOf(reauthenticated.accessToken).roles).toEqual([]);
  });

  it('a login whose read of the account came before a revocation and its sweep opens a session without the revoked role', async () => {
    // Arrange: the login's read, made while the account was admin.
    const { deps, userId, users, email, sessionIssuer } = await setup();
    await grantRole(deps, userId, 'admin');
    const stale = (await users.findByEmail(email))!;
    await revokeRole(deps, userId, 'admin');
    // Act: the session is written after the sweep, from the stale read.
    const opened = await sessionIssuer.open(userId, [{ method: 'password' }], client, { email, userId, passwordHash: stale.passwordHash! }, stale);
    // Assert
    expect(claimsOf(opened.accessToken).roles).toEqual([]);
  });
});

describe('roles on an MFA login (DynamoDB)', () => {
  it('the second step takes the roles from the account it read with the TOTP state: no extra request', async () => {
    // Arrange: an enrolled account made admin.
    const kit = await createMfaKit('dynamodb');
    const { email, userId, secret } = await kit.enrol();
    await kit.users.setRoles(userId, ['admin']);
    const mfaToken = await kit.loginForToken(email);
    kit.requests.length = 0;
    // Act
    const { tokens } = await kit.verify(mfaToken, { code: kit.code(secret) });
    // Assert: the requests of an MFA login's second step, as before roles (test/integration/mfa.test.ts).
    expect([...kit.requests].sort()).toEqual(['DeleteItem', 'GetItem', 'GetItem', 'Query', 'TransactWriteItems', 'TransactWriteItems', 'UpdateItem']);
    expect(claimsOf(tokens.accessToken)).toMatchObject({ roles: ['admin'], scope: ADMIN_SCOPE, amr: ['pwd', 'otp', 'mfa'] });
  });
});

describe('a role change on a session stored before its claims map (DynamoDB)', () => {
  it('writes the whole map from the old attributes and the new roles, and the next refresh signs both', async () => {
    // Arrange: a session whose claims are still the old attributes.
    const context = await createTestApp({}, { passwords });
    const email = uniqueEmail('legacy-roles');
    const { userId } = await context.app.accounts.register(email, PASSWORD);
    const first = await context.app.sessions.login(email, PASSWORD, client);
    const storage = loadStorageConfig(context.env);
    await createDocumentClient({ endpoint: storage.dynamoDbEndpoint }).send(
      new UpdateCommand({ TableName: storage.sessionsTable, Key: { id: first.sessionId }, UpdateExpression: 'REMOVE claims SET amr = :amr', ExpressionAttributeValues: { ':amr': ['pwd', 'otp', 'mfa'] } }),
    );
    // Act
    const change = await grantRole(await context.root.get(roleChanges), userId, 'admin');
    context.clock.advance(1_000);
    const refreshed = await context.app.sessions.refresh(first.refreshToken, client);
    // Assert
    expect(change.sessionsUpdated).toBe(1);
    expect(claimsOf(refreshed.accessToken)).toMatchObject({ roles: ['admin'], scope: ADMIN_SCOPE, amr: ['pwd', 'otp', 'mfa'] });
  });
});
