import { randomUUID } from 'node:crypto';
import { createDynamoDbEmailOutbox } from '../../../lib/aws/dynamodb-email-outbox';
import { createMemoryEmailOutbox } from '../../../lib/email/memory-email-outbox';
import type { EmailOutbox } from '../../../lib/email/outbox';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
// Now, not a fixed date: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
const NOW = Date.now();

describeContract<EmailOutbox>('email outbox', { memory: () => createMemoryEmailOutbox(), dynamodb: () => createDynamoDbEmailOutbox(local.client, local.emailOutboxTable) }, (build) => {
  /** The due entries of these users only: the DynamoDB outbox is shared by every test file of the run. */
  const dueOf = async (outbox: EmailOutbox, now: number, ...userIds: string[]) => (await outbox.due(now, 1_000)).filter((entry) => userIds.includes(entry.userId));

  it('keeps one entry per account and kind, due at once unless told; a newer failure replaces it', async () => {
    const outbox = build();
    const [a, b] = [randomUUID(), randomUUID()];
    await outbox.keep({ kind: 'verify_email', userId: a, at: NOW }, NOW);
    await outbox.keep({ kind: 'password_changed', userId: b, at: NOW }, NOW, NOW + 60_000);
    expect(await dueOf(outbox, NOW, a, b)).toEqual([{ kind: 'verify_email', userId: a, at: NOW, attempts: 1, firstFailedAt: NOW, dueAt: NOW }]);
    expect(await dueOf(outbox, NOW + 60_000, b)).toHaveLength(1);
    await outbox.keep({ kind: 'verify_email', userId: a, at: NOW + 5 }, NOW + 5);
    expect(await dueOf(outbox, NOW + 5, a)).toEqual([{ kind: 'verify_email', userId: a, at: NOW + 5, attempts: 1, firstFailedAt: NOW + 5, dueAt: NOW + 5 }]);
  });

  it('lets one of two runs claim an entry; postpone and remove act only on the claimed entry', async () => {
    const outbox = build();
    const userId = randomUUID();
    await outbox.keep({ kind: 'reset_password', userId, at: NOW }, NOW);
    const [entry] = await dueOf(outbox, NOW, userId);
    const claims = await Promise.all([outbox.claim(entry!, NOW + 300_000), outbox.claim(entry!, NOW + 300_000)]);
    const claimed = claims.filter((claim) => claim !== undefined);
    expect(claimed).toEqual([{ ...entry, attempts: 2, dueAt: NOW + 300_000 }]);
    expect(await dueOf(outbox, NOW + 1, userId)).toEqual([]);
    // The stale entry (as read before the claim) changes nothing.
    await outbox.remove(entry!);
    await outbox.postpone(claimed[0]!, NOW + 10);
    expect(await dueOf(outbox, NOW + 10, userId)).toEqual([{ ...claimed[0], dueAt: NOW + 10 }]);
    // A newer failure replaced it: the older claim removes nothing.
    await outbox.keep({ kind: 'reset_password', userId, at: NOW + 20 }, NOW + 20);
    await outbox.remove({ ...claimed[0]!, dueAt: NOW + 10 });
    expect(await dueOf(outbox, NOW + 20, userId)).toHaveLength(1);
    const [latest] = await dueOf(outbox, NOW + 20, userId);
    await outbox.remove(latest!);
    expect(await dueOf(outbox, NOW + 20, userId)).toEqual([]);
  });
});
