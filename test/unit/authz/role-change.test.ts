import { randomBytes } from 'node:crypto';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { changeRoles, grantRole, revokeRole } from '../../../lib/authz/role-change';
import { createRolesDecider } from '../../../lib/authz/roles-decider';
import { parseRoleMap } from '../../../lib/authz/roles';
import { NotFoundError } from '../../../lib/core/errors';
import { createKeyring } from '../../../lib/core/keyring';
import { createMemorySessionStore } from '../../../lib/sessions/memory-session-store';
import { createSessionIssuer } from '../../../lib/sessions/session-service';
import { PASSWORD_PROOF } from '../../../lib/sessions/sign-in';
import type { AccessTokenSubject } from '../../../lib/tokens/access-token-issuer';
import { createRefreshTokenCodec } from '../../../lib/tokens/refresh-token';
import { capturingLogger, frozenClock } from '../../support/fixtures';

const client = { userAgent: 'jest', ip: '192.0.2.1' };
const POLICY = { refreshTokenTtlSeconds: 3_600, sessionMaxAgeSeconds: 86_400, refreshReuseGraceSeconds: 10, sessionLimitPerUser: 10 };
const ROLES = parseRoleMap({ admin: ['users:read', 'users:write', 'audit:read'], support: ['users:read'], user: [] });
const ADMIN_SCOPE = 'audit:read users:read users:write';

/** A world of memory stores, the session issuer with the roles decider, and the role-change deps. */
async function world() {
  const clock = frozenClock();
  const users = createMemoryUserStore();
  const sessions = createMemorySessionStore({ rolesVersionOf: (guard) => users.accounts.get(guard.email)?.rolesVersion ?? 0 });
  const signed: AccessTokenSubject[] = [];
  const log = capturingLogger();
  const issuer = createSessionIssuer({
    policy: POLICY,
    clock,
    sessions,
    accessTokens: { issue: async (subject) => (signed.push(subject), { token: `token-${signed.length}`, expiresIn: 900 }) },
    refreshTokens: createRefreshTokenCodec(createKeyring(randomBytes(32))),
    logger: log.logger,
    decideClaims: createRolesDecider(ROLES),
    readAccount: (userId) => users.findById(userId),
  });
  const account = { id: 'user-1', email: 'one@example.com', passwordHash: 'h', createdAt: clock.now(), emailVerified: true, mfaEnabled: false, credentialsVersion: 0 };
  await users.create(account);
  const deps = { users, sessions, roles: ROLES, clock, logger: log.logger };
  const login = async () => issuer.open(account.id, [PASSWORD_PROOF], client, undefined, await users.findById(account.id));
  return { clock, users, sessions, signed, issuer, account, deps, login, log };
}

describe('changing an account\'s roles', () => {
  it('a login of an account with admin gets its roles and every permission as scope', async () => {
    const { users, account, signed, login } = await world();
    await users.setRoles(account.id, ['admin']);
    await login();
    expect(signed.at(-1)?.claims).toMatchObject({ roles: ['admin'], scope: ADMIN_SCOPE, amr: ['pwd'] });
  });

  it('reaches the next refresh of every live session of the account, without a login; ended sessions and other accounts are left alone', async () => {
    // Arrange: two live sessions, one ended, and another account's.
    const { account, signed, issuer, deps, login, users, clock, sessions } = await world();
    const first = await login();
    const second = await login();
    const ended = await login();
    await sessions.revoke(ended.sessionId, 'logout', clock.now());
    await users.create({ ...account, id: 'user-2', email: 'two@example.com' });
    const other = await issuer.open('user-2', [PASSWORD_PROOF], client);
    // Act
    const change = await grantRole(deps, account.id, 'admin');
    const refreshed = [await issuer.refresh(first.refreshToken, client), await issuer.refresh(second.refreshToken, client)];
    await issuer.refresh(other.refreshToken, client);
    // Assert
    expect(change).toMatchObject({ before: [], after: ['admin'], changed: true, sessionsUpdated: 2 });
    expect(refreshed.map((tokens) => tokens.sessionId)).toEqual([first.sessionId, second.sessionId]);
    expect(signed.slice(-3).map((subject) => subject.claims.roles)).toEqual([['admin'], ['admin'], []]);
    expect(signed.at(-2)?.claims.scope).toBe(ADMIN_SCOPE);
    expect((await sessions.get(ended.sessionId))?.claims.roles).toEqual([]);
  });

  it('a revocation reaches the sessions too: the next refresh has no roles and no scope', async () => {
    const { account, signed, issuer, deps, login, users } = await world();
    await users.setRoles(account.id, ['admin', 'support']);
    const opened = await login();
    const change = await revokeRole(deps, account.id, 'admin');
    await issuer.refresh(opened.refreshToken, client);
    expect(change).toMatchObject({ before: ['admin', 'support'], after: ['support'], changed: true, sessionsUpdated: 1 });
    expect(signed.at(-1)?.claims).toMatchObject({ roles: ['support'], scope: 'users:read' });
  });

  it('is idempotent: the same roles again write nothing on the account, log nothing, and still sweep the sessions', async () => {
    const { account, deps, login, users, log } = await world();
    await changeRoles(deps, account.id, ['admin']);
    await login();
    const again = await changeRoles(deps, account.id, ['admin', 'admin']);
    expect(again).toMatchObject({ changed: false, after: ['admin'], sessionsUpdated: 1 });
    expect((await users.findById(account.id))?.rolesVersion).toBe(1);
    expect(log.lines.filter((line) => line.security_event === 'roles_changed')).toHaveLength(1);
  });

  it('refuses an unknown account (NotFoundError) and a bad list (InvalidRolesError)', async () => {
    const { deps, account } = await world();
    await expect(changeRoles(deps, 'nobody', ['admin'])).rejects.toThrow(NotFoundError);
    await expect(grantRole(deps, 'nobody', 'admin')).rejects.toThrow(NotFoundError);
    await expect(changeRoles(deps, account.id, ['Admin'])).rejects.toMatchObject({ name: 'InvalidRolesError', code: 'invalid_role' });
  });

  it('a login that read the roles before a revocation and writes its session after the sweep decides again: the session never has the revoked role', async () => {
    // Arrange: the login's read of the account, made while it was admin.
    const { account, deps, users, issuer, signed } = await world();
    await users.setRoles(account.id, ['admin']);
    const readBeforeTheChange = await users.findById(account.id);
    // Act: the revocation and its sweep happen; then the login writes its session.
    await revokeRole(deps, account.id, 'admin');
    const opened = await issuer.open(account.id, [PASSWORD_PROOF], client, undefined, readBeforeTheChange);
    // Assert
    expect(signed.at(-1)?.claims).toMatchObject({ roles: [], amr: ['pwd'] });
    expect(signed.at(-1)?.claims.scope).toBe('');
    expect(opened.sessionId).toEqual(expect.any(String));
  });
});
