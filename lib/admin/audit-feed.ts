import type { AuditCursorCodec } from '../audit/audit-cursor';
import { isAuditedEvent, toAuditEventView, type AuditEventView } from '../audit/audit-event';
import type { AuditStore } from '../audit/audit-store';
import type { Clock } from '../core/clock';
import { InvalidRequestError } from '../core/errors';

/** At most this many events a page of GET /admin/audit (as many as a page of users). */
export const AUDIT_FEED_PAGE_SIZE = 100;

/** The listing a cursor is bound to: the same filters, or 400 (lib/audit/audit-cursor.ts). */
const feedScope = (userId: string | undefined, type: string | undefined) => `admin:${userId ?? ''}:${type ?? ''}`;

/**
 * The admin's reading of the audit trail (GET /admin/audit): every event, or one user's, one
 * type's, or both, newest first, through the audit store's own listing. Unlike a user's own
 * listing, the admin sees each event whole, actor and address included. A user id that names no
 * account (a deleted one, whose deletion and admin actions stay for the retention) is no error.
 */
export async function listAuditEvents(
  deps: { audit: Pick<AuditStore, 'list'>; cursors: AuditCursorCodec; clock: Clock },
  query: { userId?: string | undefined; type?: string | undefined; cursor?: string | undefined },
): Promise<{ events: AuditEventView[]; next_cursor?: string }> {
  const { userId, type } = query;
  if (type !== undefined && !isAuditedEvent(type)) throw new InvalidRequestError('Invalid request: type is not a security event type.');
  const scope = feedScope(userId, type);
  const after = query.cursor === undefined ? undefined : deps.cursors.decode(scope, query.cursor);
  const page = await deps.audit.list({ userId, type, after, limit: AUDIT_FEED_PAGE_SIZE, now: deps.clock.now() });
  return {
    events: page.events.map(toAuditEventView),
    ...(page.next ? { next_cursor: deps.cursors.encode(scope, page.next) } : {}),
  };
}
