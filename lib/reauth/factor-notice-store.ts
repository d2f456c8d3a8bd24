import type { FactorChange } from './factor-change';

/**
 * The outstanding factor notices of an account: the keyed hash of each notice's "this wasn't me"
 * token, with the change it reports and when it expires. Several notices are outstanding at once
 * (each factor change sends one, and each link must work), so unlike the email links of
 * AccountChangeStore a newer notice supersedes nothing; at most MAX_OUTSTANDING_NOTICES are kept,
 * the oldest dropped first. Times are epoch ms.
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

/** An in-memory FactorNoticeStore with the DynamoDB adapter's semantics, for unit tests. */
export function createMemoryFactorNoticeStore(): FactorNoticeStore & { readonly notices: Map<string, Map<string, StoredFactorNotice>> } {
  const notices = new Map<string, Map<string, StoredFactorNotice>>();
  return {
    notices,
    async put(userId, notice, now) {
      const own = notices.get(userId) ?? new Map<string, StoredFactorNotice>();
      own.set(notice.tokenHash, notice);
      for (const hash of noticesToDrop([...own.values()], now)) own.delete(hash);
      notices.set(userId, own);
    },
    async find(userId, tokenHashes, now) {
      const own = notices.get(userId);
      return tokenHashes.map((hash) => own?.get(hash)).find((notice) => notice !== undefined && notice.expiresAt > now);
    },
    async spend(userId, tokenHash, now) {
      const own = notices.get(userId);
      const notice = own?.get(tokenHash);
      if (!own || !notice || notice.expiresAt <= now) return false;
      own.delete(tokenHash);
      return true;
    },
  };
}
