import { randomUUID } from 'node:crypto';
import type { AccountChangeStore } from '../../../lib/accounts/account-change-store';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import type { AccountCredentials, UserStore } from '../../../lib/accounts/user-store';
import { createDynamoDbAccountChangeStore } from '../../../lib/aws/dynamodb-account-change-store';
import { createDynamoDbUserStore } from '../../../lib/aws/dynamodb-user-store';
import { EmailTakenError } from '../../../lib/core/errors';
import { uniqueEmail } from '../../support/fixtures';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
// Now, not a fixed date: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
const NOW = Date.now();
const LIMITS = { maxAttempts: 3, windowSeconds: 60 };

const accountOf = (overrides: Partial<AccountCredentials> = {}): AccountCredentials => ({
  id: randomUUID(),
  email: uniqueEmail('contract'),
  passwordHash: 'hash-1',
  createdAt: NOW,
  emailVerified: false,
  mfaEnabled: false,
  credentialsVersion: 0,
  ...overrides,
});

interface Stores {
  readonly users: UserStore;
  /** Deletes accounts, as DELETE /me does. */
  readonly changes: AccountChangeStore;
}

describeContract<Stores>(
  'user store',
  {
    memory: () => {
      const users = createMemoryUserStore();
      return { users, changes: createMemoryAccountChangeStore(users.accounts) };
    },
    dynamodb: () => ({ users: createDynamoDbUserStore(local.client, local.usersTable), changes: createDynamoDbAccountChangeStore(local.client, local.usersTable) }),
  },
  (build) => {
    it('finds a new account by id and by email; a second account of the email is EmailTakenError', async () => {
      const { users } = build();
      const account = accountOf();
      await users.create(account);
      expect(await users.findById(account.id)).toEqual(account);
      expect(await users.findByEmail(account.email)).toEqual(account);
      await expect(users.create(accountOf({ email: account.email }))).rejects.toThrow(EmailTakenError);
      expect(await users.findById(randomUUID())).toBeUndefined();
      expect(await users.findByEmail(uniqueEmail('nobody'))).toBeUndefined();
    });

    it('does not find a deleted account by its id, even once its email belongs to a new account', async () => {
      const { users, changes } = build();
      const old = accountOf();
      await users.create(old);
      await changes.deleteAccount(old.email, old.id);
      expect(await users.findById(old.id)).toBeUndefined();
      const again = accountOf({ email: old.email });
      await users.create(again);
      expect(await users.findById(old.id)).toBeUndefined();
      expect(await users.findById(again.id)).toEqual(again);
    });

    it('disables an account (moving it to its next credentials version) and enables it again; an account never disabled reads as not disabled', async () => {
      const { users } = build();
      const account = accountOf();
      await users.create(account);
      expect((await users.findById(account.id))?.disabled).toBeUndefined();
      expect(await users.setDisabled(account, true)).toBe(true);
      expect(await users.findById(account.id)).toMatchObject({ disabled: true, credentialsVersion: 1 });
      expect(await users.findByEmail(account.email)).toMatchObject({ disabled: true });
      expect(await users.setDisabled(account, false)).toBe(true);
      const enabled = await users.findById(account.id);
      expect(enabled?.disabled).toBeUndefined();
      expect(enabled?.credentialsVersion).toBe(1);
      // Enabling twice is no error and changes nothing.
      expect(await users.setDisabled(account, false)).toBe(true);
      expect((await users.findById(account.id))?.credentialsVersion).toBe(1);
    });

    it('does not disable an account whose email now belongs to another id, nor one that does not exist', async () => {
      const { users } = build();
      const account = accountOf();
      await users.create(account);
      expect(await users.setDisabled({ id: randomUUID(), email: account.email }, true)).toBe(false);
      expect(await users.setDisabled({ id: randomUUID(), email: uniqueEmail('nobody') }, true)).toBe(false);
      expect((await users.findById(account.id))?.disabled).toBeUndefined();
    });

    it('counts attempts up to the limit, then says how long to wait; the window restarts after it passes', async () => {
      const { users } = build();
      const email = uniqueEmail('attempts');
      for (let attempt = 0; attempt < LIMITS.maxAttempts; attempt++) expect(await users.countAttempt(email, NOW + attempt * 1000, LIMITS)).toEqual({ allowed: true });
      // The window runs from the last counted attempt (NOW + 2 s): 60 s after it.
      expect(await users.countAttempt(email, NOW + 12_000, LIMITS)).toEqual({ allowed: false, retryAfterSeconds: 50 });
      expect(await users.countAttempt(email, NOW + 62_000, LIMITS)).toEqual({ allowed: true });
    });

    it('takes back one attempt (never below zero) and clears them all', async () => {
      const { users } = build();
      const email = uniqueEmail('attempts');
      await users.uncountAttempt(email);
      for (let attempt = 0; attempt < LIMITS.maxAttempts; attempt++) await users.countAttempt(email, NOW, LIMITS);
      await users.uncountAttempt(email);
      expect(await users.countAttempt(email, NOW, LIMITS)).toEqual({ allowed: true });
      expect((await users.countAttempt(email, NOW, LIMITS)).allowed).toBe(false);
      await users.clearAttempts(email);
      expect(await users.countAttempt(email, NOW, LIMITS)).toEqual({ allowed: true });
    });

    it('replaces a password hash only while it is the expected one, without a new credentials version', async () => {
      const { users } = build();
      const account = accountOf();
      await users.create(account);
      expect(await users.replacePasswordHash(account.email, 'not-it', 'hash-2')).toBe(false);
      expect(await users.replacePasswordHash(account.email, 'hash-1', 'hash-2')).toBe(true);
      expect(await users.findById(account.id)).toMatchObject({ passwordHash: 'hash-2', credentialsVersion: 0 });
      expect(await users.replacePasswordHash(uniqueEmail('nobody'), 'hash-1', 'hash-2')).toBe(false);
    });

    it('sets an account\'s roles and bumps their version; an unknown or deleted account is undefined', async () => {
      // Arrange
      const { users, changes } = build();
      const account = accountOf();
      await users.create(account);
      // Act
      const set = await users.setRoles(account.id, ['admin', 'support']);
      const again = await users.setRoles(account.id, ['admin']);
      // Assert
      expect(set).toMatchObject({ id: account.id, roles: ['admin', 'support'], rolesVersion: 1 });
      expect(again).toMatchObject({ roles: ['admin'], rolesVersion: 2 });
      expect(await users.findByEmail(account.email)).toMatchObject({ roles: ['admin'], rolesVersion: 2, passwordHash: 'hash-1' });
      expect(await users.setRoles(randomUUID(), ['admin'])).toBeUndefined();
      await changes.deleteAccount(account.email, account.id);
      await users.create(accountOf({ email: account.email }));
      expect(await users.setRoles(account.id, ['admin'])).toBeUndefined();
      expect((await users.findByEmail(account.email))?.roles ?? []).toEqual([]);
    });

    it('lists the accounts that hold a role, by email, and no others', async () => {
      const { users } = build();
      const holder = accountOf({ email: uniqueEmail('a-holder') });
      const emptied = accountOf();
      const none = accountOf();
      for (const account of [holder, emptied, none]) await users.create(account);
      await users.setRoles(holder.id, ['admin']);
      await users.setRoles(emptied.id, ['admin']);
      await users.setRoles(emptied.id, []);
      const listed = (await users.listWithRoles()).filter((account) => [holder.id, emptied.id, none.id].includes(account.id));
      expect(listed).toEqual([expect.objectContaining({ id: holder.id, email: holder.email, roles: ['admin'] })]);
    });
  },
);
