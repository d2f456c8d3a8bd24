import { randomUUID } from 'node:crypto';
import { createDynamoDbFactorNoticeStore } from '../../../lib/aws/dynamodb-factor-notice-store';
import { createMemoryFactorNoticeStore, MAX_OUTSTANDING_NOTICES, type FactorNoticeStore, type StoredFactorNotice } from '../../../lib/reauth/factor-notice-store';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
// Now, not a fixed date: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
const NOW = Date.now();
const noticeOf = (tokenHash: string, expiresAt = NOW + 60_000): StoredFactorNotice => ({ tokenHash, change: { kind: 'passkey_added', credentialId: `cred-${tokenHash}` }, expiresAt });

describeContract<FactorNoticeStore>('factor notice store', { memory: () => createMemoryFactorNoticeStore(), dynamodb: () => createDynamoDbFactorNoticeStore(local.client, local.usersTable) }, (build) => {
  it('keeps several notices of a user and finds each by any of its hashes, never another user\'s', async () => {
    const notices = build();
    const userId = randomUUID();
    await notices.put(userId, noticeOf('a'), NOW);
    await notices.put(userId, { tokenHash: 'b', change: { kind: 'totp_enabled', enrolledAt: NOW }, expiresAt: NOW + 60_000 }, NOW);
    expect(await notices.find(userId, ['x', 'a'], NOW)).toEqual(noticeOf('a'));
    expect(await notices.find(userId, ['b'], NOW)).toEqual({ tokenHash: 'b', change: { kind: 'totp_enabled', enrolledAt: NOW }, expiresAt: NOW + 60_000 });
    expect(await notices.find(randomUUID(), ['a'], NOW)).toBeUndefined();
  });

  it('spends a notice once, not at or after its expiry', async () => {
    const notices = build();
    const userId = randomUUID();
    await notices.put(userId, noticeOf('a', NOW + 1_000), NOW);
    await notices.put(userId, noticeOf('b', NOW + 1_000), NOW);
    expect(await notices.find(userId, ['a'], NOW + 1_000)).toBeUndefined();
    expect(await notices.spend(userId, 'a', NOW + 1_000)).toBe(false);
    const spends = await Promise.all([notices.spend(userId, 'b', NOW), notices.spend(userId, 'b', NOW), notices.spend(userId, 'b', NOW)]);
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await notices.find(userId, ['b'], NOW)).toBeUndefined();
  });

  it(`keeps at most ${MAX_OUTSTANDING_NOTICES}, dropping expired ones and then the oldest`, async () => {
    const notices = build();
    const userId = randomUUID();
    await notices.put(userId, noticeOf('expired', NOW + 10), NOW);
    for (let index = 0; index < MAX_OUTSTANDING_NOTICES + 1; index++) await notices.put(userId, noticeOf(`n${index}`, NOW + 60_000 + index), NOW + 20);
    expect(await notices.find(userId, ['expired'], NOW)).toBeUndefined();
    expect(await notices.find(userId, ['n0'], NOW + 20)).toBeUndefined();
    expect(await notices.find(userId, ['n1'], NOW + 20)).toBeDefined();
    expect(await notices.find(userId, [`n${MAX_OUTSTANDING_NOTICES}`], NOW + 20)).toBeDefined();
  });
});
