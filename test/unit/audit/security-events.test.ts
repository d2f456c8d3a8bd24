import { createAuditCursorCodec } from '../../../lib/audit/audit-cursor';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import { createMemoryAuditStore } from '../../../lib/audit/memory-audit-store';
import { listOwnSecurityEvents, SECURITY_EVENTS_PAGE_SIZE } from '../../../lib/audit/security-events';
import { createKeyring } from '../../../lib/core/keyring';
import { InvalidRequestError } from '../../../lib/core/errors';
import { frozenClock } from '../../support/fixtures';

const DAY_MS = 86_400_000;

function setup() {
  const clock = frozenClock(Date.UTC(2026, 11, 5));
  const audit = createMemoryAuditStore();
  const cursors = createAuditCursorCodec(createKeyring(Buffer.alloc(32, 7)));
  const put = (event: Partial<AuditEvent> & Pick<AuditEvent, 'userId' | 'time'>) =>
    audit.put({ id: `${event.userId}-${event.time}`, type: 'login_succeeded', details: {}, ...event }, clock.now() + DAY_MS);
  return { clock, audit, cursors, put, deps: { audit, cursors, clock } };
}

describe('listOwnSecurityEvents: the caller\'s own events, a page at a time', () => {
  it('pages newest first by the contract\'s 50, with a cursor bound to the caller', async () => {
    // Prepare
    const { deps, put, clock } = setup();
    for (let i = 0; i < SECURITY_EVENTS_PAGE_SIZE + 3; i++) await put({ userId: 'me', time: clock.now() - i * 1_000 });
    await put({ userId: 'someone-else', time: clock.now() });

    // Act
    const first = await listOwnSecurityEvents(deps, 'me');
    const second = await listOwnSecurityEvents(deps, 'me', first.next_cursor);

    // Assess
    expect(first.events).toHaveLength(50);
    expect(second.events).toHaveLength(3);
    expect(second.next_cursor).toBeUndefined();
    expect(new Set([...first.events, ...second.events].map((event) => event.user_id))).toEqual(new Set(['me']));
    expect(first.events[0]!.time).toBe(new Date(clock.now()).toISOString());
    await expect(listOwnSecurityEvents(deps, 'someone-else', first.next_cursor)).rejects.toThrow(InvalidRequestError);
    await expect(listOwnSecurityEvents(deps, 'me', `${first.next_cursor!.slice(0, -2)}AA`)).rejects.toThrow(InvalidRequestError);
  });

  it('shows an admin\'s action without the admin\'s address, user agent or session', async () => {
    const { deps, put, clock } = setup();
    await put({ userId: 'me', time: clock.now(), type: 'account_disabled', actorId: 'admin-1', ip: '198.51.100.7', userAgent: 'AdminConsole', sessionId: 'admin-session' });
    const { events } = await listOwnSecurityEvents(deps, 'me');
    expect(events).toEqual([expect.objectContaining({ type: 'account_disabled', actor_id: 'admin-1', ip: null, user_agent: null, session_id: null })]);
  });
});

