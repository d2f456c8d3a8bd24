import { randomBytes, randomUUID } from 'node:crypto';
import { listAuditEvents, AUDIT_FEED_PAGE_SIZE } from '../../../lib/admin/audit-feed';
import { createAuditCursorCodec } from '../../../lib/audit/audit-cursor';
import type { AuditEvent, AuditEventType } from '../../../lib/audit/audit-event';
import { createMemoryAuditStore } from '../../../lib/audit/memory-audit-store';
import { InvalidRequestError } from '../../../lib/core/errors';
import { createKeyring } from '../../../lib/core/keyring';
import { frozenClock } from '../../support/fixtures';

async function setup() {
  const clock = frozenClock();
  const audit = createMemoryAuditStore();
  const cursors = createAuditCursorCodec(createKeyring(randomBytes(32)));
  const admin = randomUUID();
  const users = [randomUUID(), randomUUID()];
  let tick = 0;
  const record = async (userId: string, type: AuditEventType, actorId?: string) => {
    const event: AuditEvent = { id: randomUUID(), time: clock.now() - 1_000_000 + ++tick, type, userId, actorId, ip: '198.51.100.7', userAgent: 'ua', details: {} };
    await audit.put(event, clock.now() + 86_400_000);
    return event;
  };
  return { clock, audit, cursors, admin, users, record, deps: { audit, cursors, clock } };
}

describe('the admin reading of the audit trail', () => {
  it('lists every event newest first, or one user\'s, one type\'s, or both; each whole, the acting admin included', async () => {
    const { deps, users, admin, record } = await setup();
    await record(users[0]!, 'login_succeeded');
    const disabled = await record(users[0]!, 'account_disabled', admin);
    await record(users[1]!, 'login_succeeded');
    await record(users[1]!, 'login_failed');

    const all = await listAuditEvents(deps, {});
    expect(all.events.map((event) => event.type)).toEqual(['login_failed', 'login_succeeded', 'account_disabled', 'login_succeeded']);
    expect((await listAuditEvents(deps, { userId: users[0] })).events.map((event) => event.type)).toEqual(['account_disabled', 'login_succeeded']);
    expect((await listAuditEvents(deps, { type: 'login_succeeded' })).events.map((event) => event.user_id)).toEqual([users[1], users[0]]);
    const both = await listAuditEvents(deps, { userId: users[0], type: 'account_disabled' });
    expect(both.events).toEqual([expect.objectContaining({ id: disabled.id, actor_id: admin, ip: '198.51.100.7', user_agent: 'ua' })]);
    expect((await listAuditEvents(deps, { userId: randomUUID() })).events).toEqual([]);
  });

  it('pages at most 100 events with a cursor bound to the filters: another filter or an altered cursor is invalid_request', async () => {
    const { deps, users, record } = await setup();
    for (let index = 0; index < AUDIT_FEED_PAGE_SIZE + 3; index++) await record(users[0]!, 'login_succeeded');
    const first = await listAuditEvents(deps, { userId: users[0] });
    expect(first.events).toHaveLength(AUDIT_FEED_PAGE_SIZE);
    const second = await listAuditEvents(deps, { userId: users[0], cursor: first.next_cursor });
    expect(second.events).toHaveLength(3);
    expect(second.next_cursor).toBeUndefined();
    await expect(listAuditEvents(deps, { userId: users[1], cursor: first.next_cursor })).rejects.toThrow(InvalidRequestError);
    await expect(listAuditEvents(deps, { userId: users[0], type: 'login_succeeded', cursor: first.next_cursor })).rejects.toThrow(InvalidRequestError);
    await expect(listAuditEvents(deps, { cursor: `${first.next_cursor}x` })).rejects.toThrow(InvalidRequestError);
  });

  it('refuses a type that is not a security event type with invalid_request', async () => {
    const { deps } = await setup();
    await expect(listAuditEvents(deps, { type: 'password_rehashed' })).rejects.toThrow(InvalidRequestError);
    await expect(listAuditEvents(deps, { type: 'anything' })).rejects.toThrow(InvalidRequestError);
  });
});
