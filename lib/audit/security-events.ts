import type { Clock } from '../core/clock';
import { InvalidRequestError } from '../core/errors';
import { isAuditedEvent, toAuditEventView, type AuditEvent, type AuditEventView } from './audit-event';
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

/** At most this many events a page of the admin's listing. */
export const AUDIT_FEED_PAGE_SIZE = 100;

/**
 * One page of the audit trail for an admin (`GET /admin/audit?user_id=&type=&cursor=`): every
 * event, one account's, one type's, or both, newest first. The cursor is bound to the filter it
 * was made for; an unknown type is `400 invalid_request`. Events show as stored (with the actor's
 * address and session).
 */
export async function listAuditFeed(
  deps: { audit: AuditStore; cursors: AuditCursorCodec; clock: Clock },
  filter: { readonly userId?: string | undefined; readonly type?: string | undefined; readonly cursor?: string | undefined },
): Promise<{ events: AuditEventView[]; next_cursor?: string }> {
  const { userId, type, cursor } = filter;
  if (type !== undefined && !isAuditedEvent(type)) throw new InvalidRequestError('Invalid request: type is not a security event type.');
  const scope = `feed:${JSON.stringify([userId ?? null, type ?? null])}`;
  const after = cursor === undefined ? undefined : deps.cursors.decode(scope, cursor);
  const page = await deps.audit.list({ userId, type, after, limit: AUDIT_FEED_PAGE_SIZE, now: deps.clock.now() });
  return {
    events: page.events.map(toAuditEventView),
    ...(page.next ? { next_cursor: deps.cursors.encode(scope, page.next) } : {}),
  };
}
