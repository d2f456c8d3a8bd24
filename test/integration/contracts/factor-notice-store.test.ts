import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbAccountChangeStore } from '../../../lib/aws/dynamodb-account-change-store';
import { createDynamoDbFactorNoticeStore } from '../../../lib/aws/dynamodb-factor-notice-store';
import { factorNoticesKey, ticketKey } from '../../../lib/aws/users-table';
import { createMemoryFactorNoticeStore, MAX_OUTSTANDING_NOTICES, reportTicket, type FactorNoticeStore, type StoredFactorNotice } from '../../../lib/reauth/factor-notice-store';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
// Now, not a fixed date: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
const NOW = Date.now();

/** The store, plus what happens beside it: an entry written before notices had tickets, and DELETE /me's purge of one-time tokens. */
interface Subject {
  readonly store: FactorNoticeStore;
  putLegacy(userId: string, notice: StoredFactorNotice): Promise<void>;
  purge(userId: string): Promise<void>;
  ticketStored(hash: string): Promise<boolean>;
}

const memorySubject = (): Subject => {
  const store = createMemoryFactorNoticeStore();
  return {
    store,
    async putLegacy(userId, notice) {
      const own = store.notices.get(userId) ?? new Map();
      own.set(notice.tokenHash, notice);
      store.notices.set(userId, own);
    },
    async purge(userId) {
      for (const [hash, entry] of store.notices.get(userId) ?? []) if (entry.ticket) store.tickets.takeNow(reportTicket.kind, hash, { now: Number.NEGATIVE_INFINITY });
      store.notices.delete(userId);
    },
    ticketStored: async (hash) => store.tickets.peekNow(reportTicket.kind, hash, { now: Number.NEGATIVE_INFINITY }) !== undefined,
  };
};

const dynamoDbSubject = (): Subject => ({
  store: createDynamoDbFactorNoticeStore(local.client, local.usersTable),
  async putLegacy(userId, { tokenHash, change, expiresAt }) {
    // The entry as the adapter wrote it before tickets: `{ change, expiresAt }`, no ticket item.
    const update = (UpdateExpression: string, names: Record<string, string>, values: Record<string, unknown>) =>
      local.client.send(new UpdateCommand({ TableName: local.usersTable, Key: factorNoticesKey(userId), UpdateExpression, ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}), ExpressionAttributeValues: values }));
    await update('SET notices = if_not_exists(notices, :empty), userId = :userId', {}, { ':empty': {}, ':userId': userId });
    await update('SET notices.#hash = :entry', { '#hash': tokenHash }, { ':entry': { change, expiresAt } });
  },
  purge: (userId) => createDynamoDbAccountChangeStore(local.client, local.usersTable).purgeTokens(userId),
  ticketStored: async (hash) => (await local.client.send(new GetCommand({ TableName: local.usersTable, Key: ticketKey(reportTicket.kind, hash), ConsistentRead: true }))).Item !== undefined,
});

/** A user of its own, and token hashes unique to it (tickets are keyed by the hash across the whole table). */
const fresh = () => {
  const userId = randomUUID();
  const h = (name: string) => `${userId}.${name}`;
  const noticeOf = (name: string, expiresAt = NOW + 60_000): StoredFactorNotice => ({ tokenHash: h(name), change: { kind: 'passkey_added', credentialId: `cred-${name}` }, expiresAt });
  return { userId, h, noticeOf };
};

describeContract<Subject>('factor notice store', { memory: memorySubject, dynamodb: dynamoDbSubject }, (build) => {
  it('keeps several notices of a user and finds each by any of its hashes, never another user\'s', async () => {
    const { store: notices } = build();
    const { userId, h, noticeOf } = fresh();
    await notices.put(userId, noticeOf('a'), NOW);
    await notices.put(userId, { tokenHash: h('b'), change: { kind: 'totp_enabled', enrolledAt: NOW }, expiresAt: NOW + 60_000 }, NOW);
    expect(await notices.find(userId, [h('x'), h('a')], NOW)).toEqual(noticeOf('a'));
    expect(await notices.find(userId, [h('b')], NOW)).toEqual({ tokenHash: h('b'), change: { kind: 'totp_enabled', enrolledAt: NOW }, expiresAt: NOW + 60_000 });
    expect(await notices.find(randomUUID(), [h('a')], NOW)).toBeUndefined();
  });

  it('spends a notice once, not at or after its expiry', async () => {
    const { store: notices } = build();
    const { userId, h, noticeOf } = fresh();
    await notices.put(userId, noticeOf('a', NOW + 1_000), NOW);
    await notices.put(userId, noticeOf('b', NOW + 1_000), NOW);
    expect(await notices.find(userId, [h('a')], NOW + 1_000)).toBeUndefined();
    expect(await notices.spend(userId, h('a'), NOW + 1_000)).toBe(false);
    const spends = await Promise.all([notices.spend(userId, h('b'), NOW), notices.spend(userId, h('b'), NOW), notices.spend(userId, h('b'), NOW)]);
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await notices.find(userId, [h('b')], NOW)).toBeUndefined();
  });

  it('spends a notice for exactly one of 8 concurrent spends, and only for its own account', async () => {
    const { store: notices } = build();
    const { userId, h, noticeOf } = fresh();
    await notices.put(userId, noticeOf('a'), NOW);
    expect(await notices.spend(randomUUID(), h('a'), NOW)).toBe(false);
    const spends = await Promise.all(Array.from({ length: 8 }, () => notices.spend(userId, h('a'), NOW)));
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await notices.spend(userId, h('a'), NOW)).toBe(false);
    expect(await notices.find(userId, [h('a')], NOW)).toBeUndefined();
  });

  it('refuses an expired notice, and the refusal leaves it spendable before its expiry', async () => {
    const { store: notices, putLegacy } = build();
    const { userId, h, noticeOf } = fresh();
    await notices.put(userId, noticeOf('a', NOW + 1_000), NOW);
    await putLegacy(userId, noticeOf('old', NOW + 1_000));
    expect(await notices.spend(userId, h('a'), NOW + 1_000)).toBe(false);
    expect(await notices.spend(userId, h('old'), NOW + 1_001)).toBe(false);
    expect(await notices.spend(userId, h('a'), NOW + 999)).toBe(true);
    expect(await notices.spend(userId, h('old'), NOW + 999)).toBe(true);
  });

  it('spends a notice stored before notices had tickets exactly once, also under 8 concurrent spends', async () => {
    const { store: notices, putLegacy } = build();
    const { userId, h, noticeOf } = fresh();
    await putLegacy(userId, noticeOf('old'));
    await notices.put(userId, noticeOf('new'), NOW);
    expect(await notices.find(userId, [h('old')], NOW)).toEqual(noticeOf('old'));
    const spends = await Promise.all(Array.from({ length: 8 }, () => notices.spend(userId, h('old'), NOW)));
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await notices.find(userId, [h('old')], NOW)).toBeUndefined();
    expect(await notices.spend(userId, h('old'), NOW)).toBe(false);
    // The notice stored beside it is untouched.
    expect(await notices.spend(userId, h('new'), NOW)).toBe(true);
  });

  it('refuses every notice after the purge of the account\'s one-time tokens, which deletes their tickets', async () => {
    const { store: notices, putLegacy, purge, ticketStored } = build();
    const { userId, h, noticeOf } = fresh();
    await notices.put(userId, noticeOf('a'), NOW);
    await putLegacy(userId, noticeOf('old'));
    expect(await ticketStored(h('a'))).toBe(true);
    await purge(userId);
    expect(await ticketStored(h('a'))).toBe(false);
    expect(await notices.find(userId, [h('a'), h('old')], NOW)).toBeUndefined();
    expect(await notices.spend(userId, h('a'), NOW)).toBe(false);
    expect(await notices.spend(userId, h('old'), NOW)).toBe(false);
    // A notice stored after the purge works.
    await notices.put(userId, noticeOf('b'), NOW);
    expect(await notices.spend(userId, h('b'), NOW)).toBe(true);
  });

  it(`keeps at most ${MAX_OUTSTANDING_NOTICES}, dropping expired ones and then the oldest, which can no longer be spent`, async () => {
    const { store: notices, ticketStored } = build();
    const { userId, h, noticeOf } = fresh();
    await notices.put(userId, noticeOf('expired', NOW + 10), NOW);
    for (let index = 0; index < MAX_OUTSTANDING_NOTICES + 1; index++) await notices.put(userId, noticeOf(`n${index}`, NOW + 60_000 + index), NOW + 20);
    expect(await notices.find(userId, [h('expired')], NOW)).toBeUndefined();
    expect(await notices.find(userId, [h('n0')], NOW + 20)).toBeUndefined();
    expect(await notices.spend(userId, h('n0'), NOW + 20)).toBe(false);
    // A dropped entry's ticket goes with it.
    expect(await Promise.all([h('expired'), h('n0'), h('n1')].map(ticketStored))).toEqual([false, false, true]);
    expect(await notices.find(userId, [h('n1')], NOW + 20)).toBeDefined();
    expect(await notices.find(userId, [h(`n${MAX_OUTSTANDING_NOTICES}`)], NOW + 20)).toBeDefined();
    expect(await notices.spend(userId, h('n1'), NOW + 20)).toBe(true);
  });
});
