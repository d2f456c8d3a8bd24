import { randomUUID } from 'node:crypto';
import { deleteUser, disableUser, enableUser, refuseSelfDemotion, signOutUser } from '../../../lib/admin/admin-actions';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { createPasswordHasher } from '../../../lib/accounts/password';
import { CannotModifySelfError, InvalidRefreshTokenError, NotFoundError } from '../../../lib/core/errors';
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
  const events = (name: string) => context.log.lines.filter((line) => line.security_event === name);
  return { ...context, register, admin, caller, deps, purged, events };
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
});
