import { createMemoryTicketStore, type MemoryTicketStore } from '../tickets/memory-ticket-store';
import type { FactorChange } from './factor-change';

/**
 * The outstanding factor notices of an account: the keyed hash of each notice's "this wasn't me"
 * token, with the change it reports and when it expires. Several notices are outstanding at once
 * (each factor change sends one, and each link must work), so unlike the email links of
 * AccountChangeStore a newer notice supersedes nothing; at most MAX_OUTSTANDING_NOTICES are kept,
 * the oldest dropped first. Times are epoch ms.
 *
 * Each notice's token is also a single-use ticket (kind `one_time_token`, see `reportTicket`),
 * issued together with the notice's entry and taken together with its removal: the ticket makes
 * the link single-use, the entry keeps the per-account cap, the purge on DELETE /me and the lookup.
 * Entries stored before notices had tickets are spent by removing the entry alone until they expire.
 */
export interface StoredFactorNotice {
  /** The keyed hash the notice is stored under (one of the presented token's hashes). */
  readonly tokenHash: string;
  readonly change: FactorChange;
  readonly expiresAt: number;
}

export interface FactorNoticeStore {
  /** Keeps a notice beside the user's others. */
  put(userId: string, notice: StoredFactorNotice, now: number): Promise<void>;
  /** The unexpired, unspent notice stored under one of `tokenHashes`, if any (a consistent read). */
  find(userId: string, tokenHashes: readonly string[], now: number): Promise<StoredFactorNotice | undefined>;
  /** Spends it in one conditional write: true for exactly one of concurrent calls, false once spent or expired. */
  spend(userId: string, tokenHash: string, now: number): Promise<boolean>;
}

/** Enough for every factor change of a busy week; an account past it loses its oldest links. */
export const MAX_OUTSTANDING_NOTICES = 25;

/** The notices to drop after `kept` was stored: the expired ones, then the oldest beyond the cap. */
export function noticesToDrop(notices: readonly StoredFactorNotice[], now: number): string[] {
  const expired = notices.filter((notice) => notice.expiresAt <= now);
  const live = notices.filter((notice) => notice.expiresAt > now).sort((a, b) => a.expiresAt - b.expiresAt);
  return [...expired, ...live.slice(0, Math.max(0, live.length - MAX_OUTSTANDING_NOTICES))].map((notice) => notice.tokenHash);
}

/** The ticket of a notice's token (both adapters): its kind, and what it carries (taken only for this account and purpose). */
export const reportTicket = {
  kind: 'one_time_token',
  purpose: 'report_factor',
  data: (userId: string, change: FactorChange) => ({ ...change, purpose: 'report_factor', userId }),
  where: (userId: string) => ({ userId, purpose: 'report_factor' }),
} as const;

/** The notices to drop when `notice` is stored beside `others`; never `notice` itself (its ticket is issued with it). */
export function noticesToDropBeside(others: readonly StoredFactorNotice[], notice: StoredFactorNotice, now: number): string[] {
  return noticesToDrop([...others.filter((other) => other.tokenHash !== notice.tokenHash), notice], now).filter((hash) => hash !== notice.tokenHash);
}

/** A stored entry: `ticket` marks one whose token has a ticket; without it, an entry stored before tickets. */
export type FactorNoticeEntry = StoredFactorNotice & { readonly ticket?: true };

const withoutMark = ({ tokenHash, change, expiresAt }: FactorNoticeEntry): StoredFactorNotice => ({ tokenHash, change, expiresAt });

/**
 * An in-memory FactorNoticeStore with the DynamoDB adapter's semantics, for unit tests. Each method
 * checks and writes both the entry and the ticket with no await in between, as one transaction does.
 */
export function createMemoryFactorNoticeStore(tickets: MemoryTicketStore = createMemoryTicketStore()): FactorNoticeStore & { readonly notices: Map<string, Map<string, FactorNoticeEntry>>; readonly tickets: MemoryTicketStore } {
  const notices = new Map<string, Map<string, FactorNoticeEntry>>();
  return {
    notices,
    tickets,
    async put(userId, notice, now) {
      const own = notices.get(userId) ?? new Map<string, FactorNoticeEntry>();
      const stale = noticesToDropBeside([...own.values()], notice, now);
      tickets.issueNow(reportTicket.kind, notice.tokenHash, { data: reportTicket.data(userId, notice.change), expiresAt: notice.expiresAt });
      own.set(notice.tokenHash, { ...withoutMark(notice), ticket: true });
      for (const hash of stale) {
        if (own.get(hash)?.ticket) tickets.takeNow(reportTicket.kind, hash, { now: Number.NEGATIVE_INFINITY });
        own.delete(hash);
      }
      notices.set(userId, own);
    },
    async find(userId, tokenHashes, now) {
      const own = notices.get(userId);
      const entry = tokenHashes.map((hash) => own?.get(hash)).find((notice) => notice !== undefined && notice.expiresAt > now);
      return entry && withoutMark(entry);
    },
    async spend(userId, tokenHash, now) {
      const own = notices.get(userId);
      const entry = own?.get(tokenHash);
      if (!own || !entry || entry.expiresAt <= now) return false;
      if (entry.ticket && !tickets.takeNow(reportTicket.kind, tokenHash, { now, where: reportTicket.where(userId) })) return false;
      own.delete(tokenHash);
      return true;
    },
  };
}
