import { randomBytes } from 'node:crypto';
import { createPasswordHasher } from '../../lib/accounts/password';
import { InvalidCredentialsError } from '../../lib/core/errors';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';
import { sessionClaimsWith } from '../../lib/tokens/session-claims';

const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '192.0.2.1' };

describe('a login racing a password change', () => {
  it.each(['memory', 'dynamodb'] as const)('opens no session once the password it verified has been replaced (%s stores)', async (stores) => {
    let during: (() => Promise<void>) | undefined;
    const slow = { ...passwords, verify: async (password: string, phc: string) => {
      const valid = await passwords.verify(password, phc);
      await during?.();
      return valid;
    } };
    const context = await createTestApp({}, { stores, passwords: slow });
    const email = uniqueEmail('race');
    await context.app.accounts.register(email, PASSWORD);
    // A reset or change lands while the old password is being checked.
    during = async () => {
      const account = await context.users.findByEmail(email);
      await context.users.replacePasswordHash(email, account!.passwordHash!, await passwords.hash('a brand new passphrase'));
    };
    await expect(context.app.sessions.login(email, PASSWORD, client)).rejects.toThrow(InvalidCredentialsError);
    const account = await context.users.findByEmail(email);
    expect((await context.sessionStore.listIndexed(account!.id, { limit: 10, newestFirst: true })).sessions).toEqual([]);
    during = undefined;
    await expect(context.app.sessions.login(email, 'a brand new passphrase', client)).resolves.toMatchObject({ userId: account!.id });
  });
});

describe('a session bound to a credentials version (a passkey login whose challenge was asked for with an email)', () => {
  it.each(['memory', 'dynamodb'] as const)('is stored only while the account still has that version (%s stores)', async (stores) => {
    const context = await createTestApp({}, { stores, passwords });
    const email = uniqueEmail('bound');
    const { userId } = await context.app.accounts.register(email, PASSWORD);
    const now = context.clock.now();
    const session = (id: string) => ({ id, userId, createdAt: now, lastUsedAt: now, idleExpiresAt: now + 60_000, absoluteExpiresAt: now + 120_000, generation: 0, tokenHash: id, claims: sessionClaimsWith({ amr: ['hwk'], authTime: Math.floor(now / 1000) }) });
    const bound = { email, userId, credentialsVersion: 0 };
    await context.sessionStore.create(session(randomBytes(16).toString('base64url')), bound);
    // A reset or change lands before the login writes its session.
    expect(await context.changes.setPasswordHash(email, userId, await passwords.hash('a brand new passphrase'))).toBe(true);
    await expect(context.sessionStore.create(session(randomBytes(16).toString('base64url')), bound)).rejects.toThrow(InvalidCredentialsError);
    expect((await context.sessionStore.listIndexed(userId, { limit: 10, newestFirst: true })).sessions).toHaveLength(1);
    await context.sessionStore.create(session(randomBytes(16).toString('base64url')), { ...bound, credentialsVersion: 1 });
  });
});
