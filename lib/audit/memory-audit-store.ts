import type { AuditEvent } from './audit-event';
import { newestFirst, type AuditStore } from './audit-store';

/** The in-memory twin of the DynamoDB audit store (test/integration/contracts/audit-store.test.ts keeps them alike). */
export function createMemoryAuditStore(): AuditStore & { readonly items: ReadonlyMap<string, { event: AuditEvent; expiresAt: number }> } {
  const items = new Map<string, { event: AuditEvent; expiresAt: number }>();
  const keyOf = (event: Pick<AuditEvent, 'userId' | 'time' | 'id'>) => `${event.userId}\0${event.time}\0${event.id}`;
  return {
    items,
    async put(event, expiresAt) {
      items.set(keyOf(event), { event, expiresAt });
    },
    async list({ userId, type, after, limit, now }) {
      const matching = [...items.values()]
        .filter((item) => now < item.expiresAt && (userId === undefined || item.event.userId === userId) && (type === undefined || item.event.type === type))
        .map((item) => item.event)
        .sort(newestFirst)
        .filter((event) => after === undefined || newestFirst(after, event) < 0);
      const events = matching.slice(0, limit);
      const last = events.at(-1);
      return { events, ...(matching.length > limit && last ? { next: { userId: last.userId, time: last.time, id: last.id } } : {}) };
    },
    async purgeUser(userId, keep) {
      let deleted = 0;
      for (const [key, { event }] of items) {
        if (event.userId === userId && !keep(event)) {
          items.delete(key);
          deleted++;
        }
      }
      return deleted;
    },
  };
}
