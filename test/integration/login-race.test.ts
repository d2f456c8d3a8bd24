import { createPasswordHasher } from '../../lib/accounts/password';
import { InvalidCredentialsError } from '../../lib/core/errors';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';

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
      await context.users.replacePasswordHash(email, account!.passwordHash, await passwords.hash('a brand new passphrase'));
    };
    await expect(context.app.sessions.login(email, PASSWORD, client)).rejects.toThrow(InvalidCredentialsError);
    const account = await context.users.findByEmail(email);
    expect((await context.sessionStore.listIndexed(account!.id, { limit: 10, newestFirst: true })).sessions).toEqual([]);
    during = undefined;
    await expect(context.app.sessions.login(email, 'a brand new passphrase', client)).resolves.toMatchObject({ userId: account!.id });
  });
});
