import { randomUUID } from 'node:crypto';
import { createMemoryAccountDirectory } from '../../../lib/admin/account-directory';
import { describeUser, listUsers, USERS_PAGE_SIZE } from '../../../lib/admin/user-directory';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { createPasswordHasher } from '../../../lib/accounts/password';
import { InvalidRequestError, NotFoundError } from '../../../lib/core/errors';
import { createTestApp, PASSWORD } from '../../support/fixtures';

const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '192.0.2.1' };

async function setup() {
  const context = await createTestApp({}, { stores: 'memory', passwords });
  const directory = createMemoryAccountDirectory((context.users as ReturnType<typeof createMemoryUserStore>).accounts);
  return { ...context, directory };
}

describe('the admin listing of users', () => {
  it('pages through every account whose email starts with the prefix (canonicalised), at most 100 a page, with next_cursor while more follow', async () => {
    const { app, directory } = await setup();
    const tag = randomUUID().slice(0, 8);
    for (let index = 0; index < USERS_PAGE_SIZE + 5; index++) await app.accounts.register(`list-${tag}-${String(index).padStart(3, '0')}@example.com`, PASSWORD);
    await app.accounts.register(`other-${tag}@example.com`, PASSWORD);
    const first = await listUsers({ directory }, { emailPrefix: `  LIST-${tag}` });
    expect(first.users).toHaveLength(USERS_PAGE_SIZE);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await listUsers({ directory }, { emailPrefix: `list-${tag}`, cursor: first.next_cursor });
    expect(second.users).toHaveLength(5);
    expect(second.next_cursor).toBeUndefined();
    const emails = [...first.users, ...second.users].map((user) => user.email);
    expect(new Set(emails).size).toBe(USERS_PAGE_SIZE + 5);
    expect(emails.every((email) => email.startsWith(`list-${tag}`))).toBe(true);
    expect(first.users[0]).toEqual({ id: expect.any(String), email: expect.any(String), email_verified: false, roles: [], disabled: false, mfa_enabled: false, created_at: expect.any(String) });
    expect(JSON.stringify(first)).not.toMatch(/argon2|passwordHash/);
  });

  it('refuses a cursor that was altered, or made for another prefix, with invalid_request', async () => {
    const { app, directory } = await setup();
    const tag = randomUUID().slice(0, 8);
    for (let index = 0; index < USERS_PAGE_SIZE + 1; index++) await app.accounts.register(`cur-${tag}-${index}@example.com`, PASSWORD);
    const { next_cursor: cursor } = await listUsers({ directory }, { emailPrefix: `cur-${tag}` });
    await expect(listUsers({ directory }, { emailPrefix: 'someone', cursor })).rejects.toThrow(InvalidRequestError);
    await expect(listUsers({ directory }, { emailPrefix: `cur-${tag}`, cursor: `${cursor}x!` })).rejects.toThrow(InvalidRequestError);
    await expect(listUsers({ directory }, { emailPrefix: `cur-${tag}`, cursor: 'bm90IGpzb24' })).rejects.toThrow(InvalidRequestError);
  });

  it('shows one account with its passkeys and live sessions counted; ended ones do not count; an unknown id is not_found', async () => {
    const { app, users, sessionStore, clock } = await setup();
    const { userId, email } = await app.accounts.register(`show-${randomUUID()}@example.com`, PASSWORD);
    const first = await app.sessions.login(email, PASSWORD, client);
    await app.sessions.login(email, PASSWORD, client);
    await app.sessions.logout(first.refreshToken);
    const passkeys = { listByUser: async (id: string) => (id === userId ? [{}, {}, {}] : []) as never[] };
    const deps = { users, passkeys, sessions: sessionStore, clock };
    expect(await describeUser(deps, userId)).toEqual({
      id: userId,
      email,
      email_verified: false,
      roles: [],
      disabled: false,
      mfa_enabled: false,
      created_at: expect.any(String),
      passkey_count: 3,
      live_session_count: 1,
    });
    await expect(describeUser(deps, randomUUID())).rejects.toThrow(NotFoundError);
  });
});
