import type { EmailOutbox, PendingEmail } from './outbox';

export interface MemoryEmailOutbox extends EmailOutbox {
  /** Every pending entry, by `<kind>#<userId>`. */
  readonly entries: ReadonlyMap<string, PendingEmail>;
}

const keyOf = (entry: { kind: string; userId: string }) => `${entry.kind}#${entry.userId}`;
const sameEntry = (a: PendingEmail | undefined, b: PendingEmail) => a !== undefined && a.attempts === b.attempts && a.firstFailedAt === b.firstFailedAt;

/** The outbox in memory, with the same conditions as the DynamoDB adapter, for unit tests. */
export function createMemoryEmailOutbox(): MemoryEmailOutbox {
  const entries = new Map<string, PendingEmail>();
  return {
    entries,
    async keep(intent, now, dueAt = now) {
      entries.set(keyOf(intent), { ...intent, attempts: 1, firstFailedAt: now, dueAt });
    },
    async due(now, limit) {
      return [...entries.values()].filter((entry) => entry.dueAt <= now).slice(0, limit);
    },
    async claim(entry, leaseUntil) {
      if (!sameEntry(entries.get(keyOf(entry)), entry)) return undefined;
      const claimed = { ...entry, attempts: entry.attempts + 1, dueAt: leaseUntil };
      entries.set(keyOf(entry), claimed);
      return claimed;
    },
    async postpone(claimed, dueAt) {
      if (sameEntry(entries.get(keyOf(claimed)), claimed)) entries.set(keyOf(claimed), { ...claimed, dueAt });
    },
    async remove(claimed) {
      if (sameEntry(entries.get(keyOf(claimed)), claimed)) entries.delete(keyOf(claimed));
    },
  };
}
