import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { oneTimeTicket, type AccountChangeStore } from '../../../lib/accounts/account-change-store';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import type { UserStore } from '../../../lib/accounts/user-store';
import { createDynamoDbAccountChangeStore } from '../../../lib/aws/dynamodb-account-change-store';
import { createDynamoDbUserStore } from '../../../lib/aws/dynamodb-user-store';
import { oneTimeKey, ticketKey, ttlOf } from '../../../lib/aws/users-table';
import { EmailTakenError } from '../../../lib/core/errors';
import type { OneTimePurpose } from '../../../lib/tokens/one-time-token';
import { uniqueEmail } from '../../support/fixtures';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();

/** A token item as written before tokens were tickets: the hash in the per-user item, no ticket. */
interface LegacyToken {
  readonly purpose: OneTimePurpose;
  readonly userId: string;
  readonly tokenHash: string;
  readonly expiresAt: number;
  readonly sentAt: number;
}

// The account features' store: throttle, supersede, single use under concurrency, undo, deletion,
// and the links sent before tokens were tickets.
describeContract<{ users: UserStore; changes: AccountChangeStore; plantLegacy: (token: LegacyToken) => Promise<void>; ticketStored: (hash: string) => Promise<boolean> }>(
  'account change store',
  {
    memory: () => {
      const users = createMemoryUserStore();
      const changes = createMemoryAccountChangeStore(users.accounts);
      const plantLegacy = async ({ purpose, userId, tokenHash, expiresAt, sentAt }: LegacyToken) => {
        changes.tokens.set(`${purpose}#${userId}`, { tokenHash, expiresAt, sentAt, credentialsVersion: 0, legacy: true });
      };
      const ticketStored = async (hash: string) => changes.tickets.peekNow(oneTimeTicket.kind, hash, { now: Number.NEGATIVE_INFINITY }) !== undefined;
      return { users, changes, plantLegacy, ticketStored };
    },
    dynamodb: () => ({
      users: createDynamoDbUserStore(local.client, local.usersTable),
      changes: createDynamoDbAccountChangeStore(local.client, local.usersTable),
      // Exactly the item the adapter wrote before (no credentialsVersion: older still).
      plantLegacy: async ({ purpose, userId, tokenHash, expiresAt, sentAt }: LegacyToken) => {
        await local.client.send(new PutCommand({ TableName: local.usersTable, Item: { ...oneTimeKey(purpose, userId), userId, tokenHash, expiresAt, sentAt, ttl: ttlOf(expiresAt) } }));
      },
      ticketStored: async (hash: string) => (await local.client.send(new GetCommand({ TableName: local.usersTable, Key: ticketKey(oneTimeTicket.kind, hash), ConsistentRead: true }))).Item !== undefined,
    }),
  },
  (build, adapter) => {
  const { users, changes, plantLegacy, ticketStored } = build();
  // Token hashes are keys of tickets shared by every test: unique per test, as real ones (256 random bits) are.
  let run = '';
  beforeEach(() => {
    run = randomUUID();
  });
  const h = (name: string) => `${run}:${name}`;
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
    expect(await changes.issueToken('verify_email', id, { tokenHash: h('first'), expiresAt: NOW + 3_600_000, credentialsVersion: 0 }, NOW, MINUTE)).toEqual({ issued: true, previous: undefined });
    expect(await changes.issueToken('verify_email', id, { tokenHash: h('second'), expiresAt: NOW + 3_600_000, credentialsVersion: 0 }, NOW + 15_000, MINUTE)).toEqual({ issued: false, retryAfterSeconds: 45 });
    const later = await changes.issueToken('verify_email', id, { tokenHash: h('third'), expiresAt: NOW + 3_660_000, credentialsVersion: 0 }, NOW + MINUTE, MINUTE);
    expect(later).toEqual({ issued: true, previous: { tokenHash: h('first'), expiresAt: NOW + 3_600_000, sentAt: NOW, credentialsVersion: 0 } });
    expect(await changes.findToken('verify_email', id)).toEqual({ tokenHash: h('third'), expiresAt: NOW + 3_660_000, sentAt: NOW + MINUTE, credentialsVersion: 0 });
    // The other purpose has its own throttle.
    expect(await changes.issueToken('reset_password', id, { tokenHash: h('reset'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW + MINUTE, MINUTE)).toMatchObject({ issued: true });
  });

  it('restoreToken puts the previous item back, or removes a first one, only while the hash is still ours', async () => {
    const { id } = await newAccount();
    const first = await changes.issueToken('reset_password', id, { tokenHash: h('a'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    await changes.restoreToken('reset_password', id, h('a'), first.issued ? first.previous : undefined);
    expect(await changes.findToken('reset_password', id)).toBeUndefined();
    await changes.issueToken('reset_password', id, { tokenHash: h('b'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    const second = await changes.issueToken('reset_password', id, { tokenHash: h('c'), expiresAt: NOW + MINUTE * 32, credentialsVersion: 0 }, NOW + MINUTE * 2, MINUTE);
    await changes.restoreToken('reset_password', id, h('not-ours'), undefined);
    expect((await changes.findToken('reset_password', id))?.tokenHash).toBe(h('c'));
    await changes.restoreToken('reset_password', id, h('c'), second.issued ? second.previous : undefined);
    expect(await changes.findToken('reset_password', id)).toEqual({ tokenHash: h('b'), expiresAt: NOW + MINUTE * 30, sentAt: NOW, credentialsVersion: 0 });
  });

  it('of 8 concurrent redemptions of one token exactly one succeeds, setting the password and emailVerified together', async () => {
    const account = await newAccount();
    await changes.issueToken('reset_password', account.id, { tokenHash: h('h'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => changes.redeemToken('reset_password', account.id, [h('h')], NOW + 1000, { email: account.email, passwordHash: `new-${index}` })));
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = (await users.findById(account.id))!;
    expect(stored.emailVerified).toBe(true);
    expect(stored.passwordHash).toBe(`new-${results.indexOf(true)}`);
    expect((await changes.findToken('reset_password', account.id))?.tokenHash).toBeUndefined();
  });

  it('refuses an expired token, a wrong hash, and an account that is not this id any more, changing nothing', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: h('h'), expiresAt: NOW + MINUTE, credentialsVersion: 0 }, NOW, MINUTE);
    expect(await changes.redeemToken('verify_email', account.id, [h('h')], NOW + MINUTE, { email: account.email })).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, [h('x'), h('y')], NOW, { email: account.email })).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, [h('h')], NOW, { email: uniqueEmail('other') })).toBe(false);
    expect((await users.findById(account.id))!.emailVerified).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, [h('x'), h('h')], NOW, { email: account.email })).toBe(true);
  });

  it('a new password moves the account to its next credentials version; a reset token of the old version then changes nothing', async () => {
    const account = await newAccount();
    await changes.issueToken('reset_password', account.id, { tokenHash: h('h'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    expect(await changes.setPasswordHash(account.email, account.id, 'changed')).toBe(true);
    expect((await users.findById(account.id))!.credentialsVersion).toBe(1);
    expect(await changes.redeemToken('reset_password', account.id, [h('h')], NOW, { email: account.email, passwordHash: 'stale-link', credentialsVersion: 0 })).toBe(false);
    expect(await users.findById(account.id)).toMatchObject({ passwordHash: 'changed', emailVerified: false, credentialsVersion: 1 });
    expect((await changes.findToken('reset_password', account.id))?.tokenHash).toBe(h('h'));
    // A token of the current version works, and its new password moves the version on again.
    await changes.issueToken('reset_password', account.id, { tokenHash: h('k'), expiresAt: NOW + MINUTE * 31, credentialsVersion: 1 }, NOW + MINUTE, MINUTE);
    expect((await changes.findToken('reset_password', account.id))?.credentialsVersion).toBe(1);
    expect(await changes.redeemToken('reset_password', account.id, [h('k')], NOW + MINUTE, { email: account.email, passwordHash: 'reset', credentialsVersion: 1 })).toBe(true);
    expect(await users.findById(account.id)).toMatchObject({ passwordHash: 'reset', emailVerified: true, credentialsVersion: 2 });
  });

  it('a verification token is not bound to the credentials: it still verifies after a new password', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: h('v'), expiresAt: NOW + MINUTE, credentialsVersion: 0 }, NOW, MINUTE);
    await changes.setPasswordHash(account.email, account.id, 'changed');
    expect(await changes.redeemToken('verify_email', account.id, [h('v')], NOW, { email: account.email })).toBe(true);
    expect(await users.findById(account.id)).toMatchObject({ emailVerified: true, credentialsVersion: 1 });
  });

  it('deletes the account items idempotently, and the email can register again at once', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: h('h'), expiresAt: NOW + MINUTE, credentialsVersion: 0 }, NOW, MINUTE);
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
  it('a newer token supersedes the older one: the older link is refused though its ticket is still there', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: h('old'), expiresAt: NOW + MINUTE * 60, credentialsVersion: 0 }, NOW, MINUTE);
    await changes.issueToken('verify_email', account.id, { tokenHash: h('new'), expiresAt: NOW + MINUTE * 61, credentialsVersion: 0 }, NOW + MINUTE, MINUTE);
    expect(await changes.redeemToken('verify_email', account.id, [h('old')], NOW + MINUTE, { email: account.email })).toBe(false);
    expect((await users.findById(account.id))!.emailVerified).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, [h('new')], NOW + MINUTE, { email: account.email })).toBe(true);
    expect(await changes.redeemToken('verify_email', account.id, [h('new')], NOW + MINUTE, { email: account.email })).toBe(false);
  });

  it('a used token keeps the throttle: findToken reports it used, and another email waits out the minute', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: h('v'), expiresAt: NOW + MINUTE * 60, credentialsVersion: 0 }, NOW, MINUTE);
    expect(await changes.redeemToken('verify_email', account.id, [h('v')], NOW + 1000, { email: account.email })).toBe(true);
    expect(await changes.findToken('verify_email', account.id)).toEqual({ expiresAt: NOW + MINUTE * 60, sentAt: NOW, credentialsVersion: 0 });
    expect(await changes.issueToken('verify_email', account.id, { tokenHash: h('w'), expiresAt: NOW + MINUTE * 60, credentialsVersion: 0 }, NOW + 30_000, MINUTE)).toEqual({ issued: false, retryAfterSeconds: 30 });
  });

  it('an undone token is refused and the link before it works again; a used link stays used when put back', async () => {
    const account = await newAccount();
    await changes.issueToken('verify_email', account.id, { tokenHash: h('kept'), expiresAt: NOW + MINUTE * 60, credentialsVersion: 0 }, NOW, MINUTE);
    const undone = await changes.issueToken('verify_email', account.id, { tokenHash: h('undone'), expiresAt: NOW + MINUTE * 61, credentialsVersion: 0 }, NOW + MINUTE, MINUTE);
    await changes.restoreToken('verify_email', account.id, h('undone'), undone.issued ? undone.previous : undefined);
    expect(await changes.redeemToken('verify_email', account.id, [h('undone')], NOW + MINUTE, { email: account.email })).toBe(false);
    expect(await changes.redeemToken('verify_email', account.id, [h('kept')], NOW + MINUTE, { email: account.email })).toBe(true);

    const again = await changes.issueToken('verify_email', account.id, { tokenHash: h('third'), expiresAt: NOW + MINUTE * 62, credentialsVersion: 0 }, NOW + MINUTE * 2, MINUTE);
    await changes.restoreToken('verify_email', account.id, h('third'), again.issued ? again.previous : undefined);
    expect(await changes.findToken('verify_email', account.id)).toEqual({ expiresAt: NOW + MINUTE * 60, sentAt: NOW, credentialsVersion: 0 });
    expect(await changes.redeemToken('verify_email', account.id, [h('kept')], NOW + MINUTE * 2, { email: account.email })).toBe(false);
  });

  it('of 4 concurrent issues exactly one is issued (the pointer decides), the others are throttled', async () => {
    const account = await newAccount();
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((name) => changes.issueToken('verify_email', account.id, { tokenHash: h(name), expiresAt: NOW + MINUTE * 60, credentialsVersion: 0 }, NOW, MINUTE)));
    expect(results.filter((result) => result.issued)).toHaveLength(1);
    expect(results.filter((result) => !result.issued)).toEqual(Array.from({ length: 3 }, () => ({ issued: false, retryAfterSeconds: 60 })));
    const winner = ['a', 'b', 'c', 'd'][results.findIndex((result) => result.issued)]!;
    expect((await changes.findToken('verify_email', account.id))?.tokenHash).toBe(h(winner));
  });

  it('after the purge a token is refused, and no ticket of the account\'s links is left, the superseded one\'s included', async () => {
    const account = await newAccount();
    await changes.issueToken('reset_password', account.id, { tokenHash: h('older'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    await changes.issueToken('reset_password', account.id, { tokenHash: h('p'), expiresAt: NOW + MINUTE * 31, credentialsVersion: 0 }, NOW + MINUTE, MINUTE);
    await changes.issueToken('verify_email', account.id, { tokenHash: h('v'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
    expect(await Promise.all([h('older'), h('p'), h('v')].map(ticketStored))).toEqual([true, true, true]);
    await changes.purgeTokens(account.id);
    expect(await changes.redeemToken('reset_password', account.id, [h('p')], NOW + MINUTE, { email: account.email, passwordHash: 'after-purge' })).toBe(false);
    expect((await users.findById(account.id))!.passwordHash).toBe('old-hash');
    expect(await Promise.all([h('older'), h('p'), h('v')].map(ticketStored))).toEqual([false, false, false]);
    // A purge that ran part-way runs again harmlessly.
    await changes.purgeTokens(account.id);
  });

  it('keeps the ticket of the token a newer one replaced (an undo may name it again), and deletes the one before it', async () => {
    const account = await newAccount();
    for (const [index, name] of ['first', 'second', 'third'].entries()) {
      await changes.issueToken('verify_email', account.id, { tokenHash: h(name), expiresAt: NOW + MINUTE * 60, credentialsVersion: 0 }, NOW + MINUTE * index, MINUTE);
    }
    expect(await Promise.all([h('first'), h('second'), h('third')].map(ticketStored))).toEqual([false, true, true]);
  });

  describe('a link sent before tokens were tickets (its hash in the per-user item, no ticket)', () => {
    it('works once until it expires, of concurrent uses exactly one, and is reported used afterwards', async () => {
      const account = await newAccount();
      await plantLegacy({ purpose: 'reset_password', userId: account.id, tokenHash: h('legacy'), expiresAt: NOW + MINUTE * 30, sentAt: NOW - MINUTE });
      expect(await changes.findToken('reset_password', account.id)).toMatchObject({ tokenHash: h('legacy'), expiresAt: NOW + MINUTE * 30, sentAt: NOW - MINUTE, credentialsVersion: 0 });
      expect(await changes.redeemToken('reset_password', account.id, [h('legacy')], NOW + MINUTE * 30, { email: account.email, passwordHash: 'too-late', credentialsVersion: 0 })).toBe(false);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, index) => changes.redeemToken('reset_password', account.id, [h('other-key'), h('legacy')], NOW, { email: account.email, passwordHash: `legacy-${index}`, credentialsVersion: 0 })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await users.findById(account.id)).toMatchObject({ passwordHash: `legacy-${results.indexOf(true)}`, emailVerified: true, credentialsVersion: 1 });
      expect((await changes.findToken('reset_password', account.id))?.tokenHash).toBeUndefined();
    });

    it('counts for the throttle, is superseded by a newer token, and works again when that one is undone', async () => {
      const account = await newAccount();
      await plantLegacy({ purpose: 'verify_email', userId: account.id, tokenHash: h('legacy'), expiresAt: NOW + MINUTE * 60, sentAt: NOW });
      expect(await changes.issueToken('verify_email', account.id, { tokenHash: h('early'), expiresAt: NOW + MINUTE * 60, credentialsVersion: 0 }, NOW + 20_000, MINUTE)).toEqual({ issued: false, retryAfterSeconds: 40 });
      const newer = await changes.issueToken('verify_email', account.id, { tokenHash: h('newer'), expiresAt: NOW + MINUTE * 61, credentialsVersion: 0 }, NOW + MINUTE, MINUTE);
      expect(newer).toEqual({ issued: true, previous: expect.objectContaining({ tokenHash: h('legacy'), legacy: true }) });
      expect(await changes.redeemToken('verify_email', account.id, [h('legacy')], NOW + MINUTE, { email: account.email })).toBe(false);
      await changes.restoreToken('verify_email', account.id, h('newer'), newer.issued ? newer.previous : undefined);
      expect(await changes.redeemToken('verify_email', account.id, [h('newer')], NOW + MINUTE, { email: account.email })).toBe(false);
      expect(await changes.redeemToken('verify_email', account.id, [h('legacy')], NOW + MINUTE, { email: account.email })).toBe(true);
      expect((await users.findById(account.id))!.emailVerified).toBe(true);
    });

    it('a legacy reset link of an old credentials version changes nothing', async () => {
      const account = await newAccount();
      await plantLegacy({ purpose: 'reset_password', userId: account.id, tokenHash: h('legacy'), expiresAt: NOW + MINUTE * 30, sentAt: NOW });
      await changes.setPasswordHash(account.email, account.id, 'changed');
      expect(await changes.redeemToken('reset_password', account.id, [h('legacy')], NOW, { email: account.email, passwordHash: 'stale', credentialsVersion: 0 })).toBe(false);
      expect((await changes.findToken('reset_password', account.id))?.tokenHash).toBe(h('legacy'));
    });
  });

  if (adapter === 'DynamoDB') {
    it('stores the token as a ticket beside the pointer, and redeems it in one transaction that takes the ticket', async () => {
      const account = await newAccount();
      await changes.issueToken('reset_password', account.id, { tokenHash: h('t'), expiresAt: NOW + MINUTE * 30, credentialsVersion: 0 }, NOW, MINUTE);
      const get = async (key: Record<string, string>) => (await local.client.send(new GetCommand({ TableName: local.usersTable, Key: key, ConsistentRead: true }))).Item;
      expect(await get(ticketKey('one_time_token', h('t')))).toEqual({ ...ticketKey('one_time_token', h('t')), purpose: 'reset_password', userId: account.id, credentialsVersion: 0, expiresAt: NOW + MINUTE * 30, failures: 0, ttl: ttlOf(NOW + MINUTE * 30) });
      expect(await get(oneTimeKey('reset_password', account.id))).toMatchObject({ ticketHash: h('t'), sentAt: NOW });
      const before = local.requests.length;
      expect(await changes.redeemToken('reset_password', account.id, [h('t')], NOW, { email: account.email, passwordHash: 'new', credentialsVersion: 0 })).toBe(true);
      expect(local.requests.slice(before)).toEqual(['GetItem', 'TransactWriteItems']);
      expect(await get(ticketKey('one_time_token', h('t')))).toBeUndefined();
    });
  }
  },
);
