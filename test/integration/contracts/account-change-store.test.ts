import { randomUUID } from 'node:crypto';
import type { AccountChangeStore } from '../../../lib/accounts/account-change-store';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import type { UserStore } from '../../../lib/accounts/user-store';
import { createDynamoDbAccountChangeStore } from '../../../lib/aws/dynamodb-account-change-store';
import { createDynamoDbUserStore } from '../../../lib/aws/dynamodb-user-store';
import { EmailTakenError } from '../../../lib/core/errors';
import { uniqueEmail } from '../../support/fixtures';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();

// The account features' store: throttle, supersede, single use under concurrency, undo, deletion.
describeContract<{ users: UserStore; changes: AccountChangeStore }>(
  'account change store',
  {
    memory: () => {
      const users = createMemoryUserStore();
      return { users, changes: createMemoryAccountChangeStore(users.accounts) };
    },
    dynamodb: () => ({ users: createDynamoDbUserStore(local.client, local.usersTable), changes: createDynamoDbAccountChangeStore(local.client, local.usersTable) }),
  },
  (build) => {
  const { users, changes } = build();
  // Now, not a fixed date: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
  const NOW = Date.now();
  const MINUTE = 60_000;

  const newAccount = async () => {
    const account = { id: randomUUID(), email: uniqueEmail('store'), passwordHash: 'old-hash', createdAt: NOW, emailVerified: false, mfaEnabled: false, credentialsVersion: 0 };
    await users.create(account);
    return account;
  };

  it('issues a token, refuses another within a minute with the seconds left, and a later one supersedes it', async () => {
    const { id } = await newAccount();
    expect(await changes.issueToken('verify_email', id, { tokenHash: 'first', expiresAt: NOW + 3_600_000, credentialsVersion: 0 }, NOW, MINUTE)).toEqual({ issued: true, previous: undefined });
    expect(await changes.issueToken('verify_email', id, { tokenHash: 'second', expiresAt: NOW + 3_600_000, credentialsVersion: 0 }, NOW + 15_000, MINUTE)).toEqual({ issued: false, retryAfterSeconds: 45 });
    const later = await changes.issueToken('verify_email', id, { tokenHash: 'third', expiresAt: NOW + 3_660_000, credentialsVersion: 0 }, NOW + MINUTE, MINUTE);
    expect(later).toEqual({ issued: true, previous: { tokenHash: 'first', expiresAt: NOW + 3_600_000, sentAt: NOW, credentialsVersion: 0 } });
    expect(await changes.findToken('verify_email', id)).toEqual({ tokenHash: 'third', expiresAt: NOW + 3_660_000, sentAt: NOW + MINUTE, credentialsVersion: 0 });
    // The other purpose has its own throttle.
    expect(await changes.issueToken('reset_password', id, { tokenHash: 'reset', expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW + MINUTE, MINUTE)).toMatchObject({ issued: true });
  });

  it('restoreToken puts the previous item back, or removes a first one, only while the hash is still ours', async () => {
    const { id } = await newAccount();
    const first = await changes.issueToken('reset_password', id, { tokenHash: 'a', expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    await changes.restoreToken('reset_password', id, 'a', first.issued ? first.previous : undefined);
    expect(await changes.findToken('reset_password', id)).toBeUndefined();
    await changes.issueToken('reset_password', id, { tokenHash: 'b', expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    const second = await changes.issueToken('reset_password', id, { tokenHash: 'c', expiresAt: NOW + MINUTE * 32, credentialsVersion: 0 }, NOW + MINUTE * 2, MINUTE);
    await changes.restoreToken('reset_password', id, 'not-ours', undefined);
    expect((await changes.findToken('reset_password', id))?.tokenHash).toBe('c');
    await changes.restoreToken('reset_password', id, 'c', second.issued ? second.previous : undefined);
    expect(await changes.findToken('reset_password', id)).toEqual({ tokenHash: 'b', expiresAt: NOW + MINUTE * 30, sentAt: NOW, credentialsVersion: 0 });
  });

  it('of 8 concurrent redemptions of one token exactly one succeeds, setting the password and emailVerified together', async () => {
    const account = await newAccount();
    await changes.issueToken('reset_password', account.id, { tokenHash: 'h', expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => changes.redeemToken('reset_password', account.id, ['h'], NOW + 1000, { email: account.email, passwordHash: `new-${index}` })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = (await users.findById(account.id))!;
    expect(stored.emailVerified).toBe(true);
    expect(stored.passwordHash).toBe(`new-${results.indexOf(true)}`);
    expect((await changes.findToken('reset_password', account.id))?.tokenHash).toBeUndefined();
  });

  it('refuses an expired token, a wrong hash, and an account that is not this id any more, changing nothing', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: 'h', expiresAt: NOW + MINUTE, credentialsVersion: 0 }, NOW, MINUTE);
    expect(await changes.redeemToken('verify_email', account.id, ['h'], NOW + MINUTE, { email: account.email })).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, ['x', 'y'], NOW, { email: account.email })).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, ['h'], NOW, { email: uniqueEmail('other') })).toBe(false);
    expect((await users.findById(account.id))!.emailVerified).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, ['x', 'h'], NOW, { email: account.email })).toBe(true);
  });

  it('a new password moves the account to its next credentials version; a reset token of the old version then changes nothing', async () => {
    const account = await newAccount();
    await changes.issueToken('reset_password', account.id, { tokenHash: 'h', expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    expect(await changes.setPasswordHash(account.email, account.id, 'changed')).toBe(true);
    expect((await users.findById(account.id))!.credentialsVersion).toBe(1);
    expect(await changes.redeemToken('reset_password', account.id, ['h'], NOW, { email: account.email, passwordHash: 'stale-link', credentialsVersion: 0 })).toBe(false);
    expect(await users.findById(account.id)).toMatchObject({ passwordHash: 'changed', emailVerified: false, credentialsVersion: 1 });
    expect((await changes.findToken('reset_password', account.id))?.tokenHash).toBe('h');
    // A token of the current version works, and its new password moves the version on again.
    await changes.issueToken('reset_password', account.id, { tokenHash: 'k', expiresAt: NOW + MINUTE * 31, credentialsVersion: 1 }, NOW + MINUTE, MINUTE);
    expect((await changes.findToken('reset_password', account.id))?.credentialsVersion).toBe(1);
    expect(await changes.redeemToken('reset_password', account.id, ['k'], NOW + MINUTE, { email: account.email, passwordHash: 'reset', credentialsVersion: 1 })).toBe(true);
    expect(await users.findById(account.id)).toMatchObject({ passwordHash: 'reset', emailVerified: true, credentialsVersion: 2 });
  });

  it('a verification token is not bound to the credentials: it still verifies after a new password', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: 'v', expiresAt: NOW + MINUTE, credentialsVersion: 0 }, NOW, MINUTE);
    await changes.setPasswordHash(account.email, account.id, 'changed');
    expect(await changes.redeemToken('verify_email', account.id, ['v'], NOW, { email: account.email })).toBe(true);
    expect(await users.findById(account.id)).toMatchObject({ emailVerified: true, credentialsVersion: 1 });
  });

  it('deletes the account items idempotently, and the email can register again at once', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: 'h', expiresAt: NOW + MINUTE, credentialsVersion: 0 }, NOW, MINUTE);
    await changes.purgeTokens(account.id);
    await changes.deleteAccount(account.email, account.id);
    await changes.deleteAccount(account.email, account.id);
    expect(await changes.findToken('verify_email', account.id)).toBeUndefined();
    expect(await users.findById(account.id)).toBeUndefined();
    const again = { ...account, id: randomUUID() };
    await users.create(again);
    await expect(users.create(again)).rejects.toThrow(EmailTakenError);
    // A late retry of the old deletion never touches the new account of that email.
    await changes.deleteAccount(account.email, account.id);
    expect((await users.findByEmail(account.email))?.id).toBe(again.id);
    expect(await changes.setPasswordHash(account.email, account.id, 'stolen')).toBe(false);
  });
  },
);
