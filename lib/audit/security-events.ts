import type { Clock } from '../core/clock';
import { toAuditEventView, type AuditEvent, type AuditEventView } from './audit-event';
import type { AuditCursorCodec } from './audit-cursor';
import type { AuditStore } from './audit-store';

/** At most this many events a page (the contract's 50). */
export const SECURITY_EVENTS_PAGE_SIZE = 50;

/** The scope a caller's own listing's cursors are bound to. */
export const ownEventsScope = (userId: string): string => `own:${userId}`;

/**
 * An event as its account's user sees it: where an admin acted, the address, user agent and
 * session are the admin's, and stay in the admin's listing.
 */
function ownView(event: AuditEvent): AuditEventView {
  const view = toAuditEventView(event);
  return event.actorId === undefined ? view : { ...view, session_id: null, ip: null, user_agent: null };
}

/** One page of the caller's own security events, newest first, with a cursor for the next page. */
export async function listOwnSecurityEvents(
  deps: { audit: AuditStore; cursors: AuditCursorCodec; clock: Clock },
  userId: string,
  cursor?: string | undefined,
): Promise<{ events: AuditEventView[]; next_cursor?: string }> {
  const scope = ownEventsScope(userId);
  const after = cursor === undefined ? undefined : deps.cursors.decode(scope, cursor);
  const page = await deps.audit.list({ userId, after, limit: SECURITY_EVENTS_PAGE_SIZE, now: deps.clock.now() });
  // The store reads one partition; the check keeps a wiring mistake from ever showing another's event.
  const own = page.events.filter((event) => event.userId === userId);
  return {
    events: own.map(ownView),
    ...(page.next ? { next_cursor: deps.cursors.encode(scope, page.next) } : {}),
  };
}

