import { randomUUID } from 'node:crypto';
import { deleteUser, disableUser, enableUser, refuseSelfDemotion, setUserRoles, signOutUser } from '../../../lib/admin/admin-actions';
import { parseRoleMap } from '../../../lib/authz/roles';
import ROLE_MAP from '../../../config/roles.json';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { createPasswordHasher } from '../../../lib/accounts/password';
import { CannotModifySelfError, InvalidRefreshTokenError, InvalidRequestError, NotFoundError } from '../../../lib/core/errors';
import { endAllSessions } from '../../../lib/sessions/session-service';
import { createTestApp, PASSWORD, uniqueEmail } from '../../support/fixtures';

const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '192.0.2.1' };

async function setup() {
  const context = await createTestApp({}, { stores: 'memory', passwords });
  const register = async (prefix: string) => {
    const email = uniqueEmail(prefix);
    const { userId } = await context.app.accounts.register(email, PASSWORD);
    return { email, userId };
  };
  const admin = await register('admin');
  const caller = { userId: admin.userId, ip: '198.51.100.7', userAgent: 'admin-console' };
  const endSessions = (userId: string) => endAllSessions({ sessions: context.sessionStore, clock: context.clock }, userId, 'account_disabled');
  const purged: string[] = [];
  const deps = {
    users: context.users,
    changes: createMemoryAccountChangeStore((context.users as ReturnType<typeof createMemoryUserStore>).accounts),
    logger: context.log.logger,
    endSessions,
    purgers: [async (account: { id: string }) => void purged.push(account.id)],
  };
  const roleDeps = { users: context.users, sessions: context.sessionStore, roles: parseRoleMap(ROLE_MAP), clock: context.clock, logger: context.log.logger };
  const events = (name: string) => context.log.lines.filter((line) => line.security_event === name);
  return { ...context, register, admin, caller, deps, roleDeps, purged, events };
}

describe('admin actions', () => {
  it('an admin cannot disable or delete their own account: 409 cannot_modify_self, and nothing changes', async () => {
    const { admin, caller, deps, users, purged, app } = await setup();
    await app.sessions.login(admin.email, PASSWORD, client);
    await expect(disableUser(deps, caller, admin.userId)).rejects.toThrow(CannotModifySelfError);
    await expect(deleteUser(deps, caller, admin.userId)).rejects.toMatchObject({ code: 'cannot_modify_self', status: 409 });
    expect((await users.findById(admin.userId))?.disabled).toBeUndefined();
    expect(purged).toEqual([]);
    await expect(app.sessions.login(admin.email, PASSWORD, client)).resolves.toBeDefined();
  });

  it('an admin cannot take admin from themselves; other changes of their own roles, and any change of another account, pass', () => {
    const caller = { userId: 'admin-1' };
    expect(() => refuseSelfDemotion(caller, 'admin-1', ['admin'], ['support'])).toThrow(CannotModifySelfError);
    expect(() => refuseSelfDemotion(caller, 'admin-1', ['admin', 'support'], ['admin'])).not.toThrow();
    expect(() => refuseSelfDemotion(caller, 'admin-1', ['support'], [])).not.toThrow();
    expect(() => refuseSelfDemotion(caller, 'someone-else', ['admin'], [])).not.toThrow();
  });

  it('disables and enables another account, each logged with the acting admin', async () => {
    const { register, caller, deps, users, events } = await setup();
    const target = await register('target');
    await disableUser(deps, caller, target.userId);
    expect((await users.findById(target.userId))?.disabled).toBe(true);
    await enableUser(deps, caller, target.userId);
    expect((await users.findById(target.userId))?.disabled).toBeUndefined();
    expect(events('account_disabled')).toEqual([expect.objectContaining({ userId: target.userId, actorId: caller.userId })]);
    expect(events('account_enabled')).toEqual([expect.objectContaining({ userId: target.userId, actorId: caller.userId })]);
  });

  it('signs a user out everywhere (refresh tokens stop), themselves included, and says how many ended', async () => {
    const { register, caller, deps, app, events, admin } = await setup();
    const target = await register('target');
    const sessions = [await app.sessions.login(target.email, PASSWORD, client), await app.sessions.login(target.email, PASSWORD, client)];
    await signOutUser(deps, caller, target.userId);
    for (const tokens of sessions) await expect(app.sessions.refresh(tokens.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    expect(events('sessions_ended_by_admin')).toEqual([expect.objectContaining({ userId: target.userId, actorId: caller.userId, sessionsEnded: 2 })]);
    await expect(signOutUser(deps, caller, admin.userId)).resolves.toBeUndefined();
  });

  it('deletes another account without its password: sessions end, purgers run, the account is gone and the deletion names the admin', async () => {
    const { register, caller, deps, app, users, purged, events } = await setup();
    const target = await register('target');
    const tokens = await app.sessions.login(target.email, PASSWORD, client);
    await deleteUser(deps, caller, target.userId);
    expect(await users.findById(target.userId)).toBeUndefined();
    expect(purged).toEqual([target.userId]);
    await expect(app.sessions.refresh(tokens.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    expect(events('account_deleted')).toEqual([expect.objectContaining({ userId: target.userId, actorId: caller.userId })]);
  });

  it('an unknown id is not_found for every action', async () => {
    const { caller, deps } = await setup();
    const unknown = randomUUID();
    await expect(disableUser(deps, caller, unknown)).rejects.toThrow(NotFoundError);
    await expect(enableUser(deps, caller, unknown)).rejects.toThrow(NotFoundError);
    await expect(signOutUser(deps, caller, unknown)).rejects.toThrow(NotFoundError);
    await expect(deleteUser(deps, caller, unknown)).rejects.toThrow(NotFoundError);
  });

  it('sets another account\'s roles (answering the account) and logs the change with the acting admin', async () => {
    const { register, caller, roleDeps, events } = await setup();
    const target = await register('target');
    expect(await setUserRoles(roleDeps, caller, target.userId, ['support', 'admin', 'admin'])).toMatchObject({ id: target.userId, roles: ['admin', 'support'] });
    expect(events('roles_changed')).toEqual([expect.objectContaining({ userId: target.userId, actorId: caller.userId, after: 'admin support' })]);
  });

  it('refuses an admin taking admin from themselves (409), and leaves their roles; keeping admin while changing others passes', async () => {
    const { admin, caller, roleDeps, users } = await setup();
    await users.setRoles(admin.userId, ['admin']);
    await expect(setUserRoles(roleDeps, caller, admin.userId, ['support'])).rejects.toThrow(CannotModifySelfError);
    await expect(setUserRoles(roleDeps, caller, admin.userId, [])).rejects.toMatchObject({ code: 'cannot_modify_self', status: 409 });
    expect((await users.findById(admin.userId))?.roles).toEqual(['admin']);
    expect(await setUserRoles(roleDeps, caller, admin.userId, ['admin', 'support'])).toMatchObject({ roles: ['admin', 'support'] });
  });

  it('a bad roles list is invalid_request without echoing it; an unknown id is not_found', async () => {
    const { register, caller, roleDeps } = await setup();
    const target = await register('target');
    for (const roles of ['admin', ['Admin!'], Array.from({ length: 17 }, (_, index) => `role${index}`)]) {
      const refusal = await setUserRoles(roleDeps, caller, target.userId, roles).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(InvalidRequestError);
      expect((refusal as Error).message).not.toContain('Admin!');
    }
    await expect(setUserRoles(roleDeps, caller, randomUUID(), ['support'])).rejects.toThrow(NotFoundError);
  });
});
