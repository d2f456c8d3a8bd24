import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventType } from '../../../lib/audit/audit-event';
import { survivesAccountDeletion } from '../../../lib/audit/audit-event';
import type { AuditPosition, AuditQuery, AuditStore } from '../../../lib/audit/audit-store';
import { createMemoryAuditStore } from '../../../lib/audit/memory-audit-store';
import { createDynamoDbAuditStore } from '../../../lib/aws/dynamodb-audit-store';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
// Now, not a fixed date: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
const NOW = Date.now();
const DAY_MS = 86_400_000;

const eventOf = (userId: string, type: AuditEventType, time: number, more: Partial<AuditEvent> = {}): AuditEvent => ({
  id: randomUUID(),
  time,
  type,
  userId,
  ip: '203.0.113.9',
  userAgent: 'Contract/1.0',
  details: {},
  ...more,
});

/** Every page of a listing, following `next` until there is none. */
async function readAll(store: AuditStore, query: Omit<AuditQuery, 'after'>, stopAfter = 100): Promise<{ events: AuditEvent[]; pages: number }> {
  const events: AuditEvent[] = [];
  let after: AuditPosition | undefined;
  let pages = 0;
  do {
    const page = await store.list({ ...query, after });
    events.push(...page.events);
    pages++;
    after = page.next;
  } while (after && pages < stopAfter);
  return { events, pages };
}

describeContract<AuditStore>('audit store', { memory: () => createMemoryAuditStore(), dynamodb: () => createDynamoDbAuditStore(local.client, local.auditTable) }, (build) => {
  it('lists one user\'s events newest first, page by page, each once, and never another user\'s', async () => {
    // Prepare: five events of one user (two in the same millisecond), and one of another.
    const store = build();
    const [user, other] = [randomUUID(), randomUUID()];
    const times = [NOW - 5_000, NOW - 4_000, NOW - 3_000, NOW - 3_000, NOW - 1_000];
    const events = times.map((time, index) => eventOf(user, index % 2 ? 'login_failed' : 'login_succeeded', time, { sessionId: `s-${index}` }));
    for (const event of events) await store.put(event, NOW + DAY_MS);
    await store.put(eventOf(other, 'login_succeeded', NOW), NOW + DAY_MS);

    // Act
    const { events: listed, pages } = await readAll(store, { userId: user, limit: 2, now: NOW });

    // Assess
    const expected = [...events].sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1));
    expect(listed).toEqual(expected);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('keeps what was stored: the actor, session, address, user agent and details', async () => {
    const store = build();
    const user = randomUUID();
    const event = eventOf(user, 'passkey_added', NOW, { actorId: 'admin-1', sessionId: 'sess-1', details: { credential_id: 'AbC_-1', device_type: 'multiDevice' } });
    await store.put(event, NOW + DAY_MS);
    expect(await store.list({ userId: user, limit: 50, now: NOW })).toMatchObject({ events: [event] });
  });

  it('filters one user\'s events by type', async () => {
    const store = build();
    const user = randomUUID();
    const failed = eventOf(user, 'login_failed', NOW - 2);
    await store.put(eventOf(user, 'login_succeeded', NOW - 1), NOW + DAY_MS);
    await store.put(failed, NOW + DAY_MS);
    expect((await readAll(store, { userId: user, type: 'login_failed', limit: 50, now: NOW })).events).toEqual([failed]);
  });

  it('lists every event, or one type\'s, newest first across users (the admin\'s feed)', async () => {
    // Prepare: times later than anything else in the shared table, so these lead the feed.
    const store = build();
    const future = NOW + 100 * DAY_MS + Math.floor(Math.random() * DAY_MS);
    const [a, b] = [randomUUID(), randomUUID()];
    const first = eventOf(a, 'password_reset', future + 3);
    const second = eventOf(b, 'logout_all', future + 2);
    const third = eventOf(a, 'logout_all', future + 1);
    for (const event of [third, first, second]) await store.put(event, future + DAY_MS);

    // Act
    const feed = await store.list({ limit: 2, now: NOW });
    const rest = await store.list({ limit: 1, now: NOW, after: feed.next });
    const byType = await store.list({ type: 'logout_all', limit: 2, now: NOW });

    // Assess
    expect(feed.events).toEqual([first, second]);
    expect(rest.events).toEqual([third]);
    expect(byType.events).toEqual([second, third]);
  });

  it('never returns an event past its retention, though the table may still hold it', async () => {
    const store = build();
    const user = randomUUID();
    await store.put(eventOf(user, 'logout', NOW - 10_000), NOW + 60_000);
    expect((await store.list({ userId: user, limit: 50, now: NOW })).events).toHaveLength(1);
    expect((await readAll(store, { userId: user, limit: 50, now: NOW + 61_000 })).events).toEqual([]);
  });

  it('purges a user\'s events but those kept, again without harm, and leaves other users alone', async () => {
    // Prepare
    const store = build();
    const [user, other] = [randomUUID(), randomUUID()];
    const deletion = eventOf(user, 'account_deleted', NOW - 1);
    const byAdmin = eventOf(user, 'logout_all', NOW - 2, { actorId: 'admin-1' });
    for (const type of ['login_succeeded', 'password_changed', 'mfa_enabled'] as const) await store.put(eventOf(user, type, NOW - 10), NOW + DAY_MS);
    await store.put(deletion, NOW + DAY_MS);
    await store.put(byAdmin, NOW + DAY_MS);
    await store.put(eventOf(other, 'login_succeeded', NOW), NOW + DAY_MS);

    // Act
    const deleted = await store.purgeUser(user, survivesAccountDeletion);
    const again = await store.purgeUser(user, survivesAccountDeletion);

    // Assess
    expect([deleted, again]).toEqual([3, 0]);
    expect((await readAll(store, { userId: user, limit: 50, now: NOW })).events).toEqual([deletion, byAdmin]);
    expect((await readAll(store, { userId: other, limit: 50, now: NOW })).events).toHaveLength(1);
  });
});
