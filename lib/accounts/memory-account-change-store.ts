import { createMemoryTicketStore, type MemoryTicketStore } from '../tickets/memory-ticket-store';
import type { OneTimePurpose } from '../tokens/one-time-token';
import { ONE_TIME_PURPOSES, oneTimeTicket, retryAfterSeconds, type AccountChangeStore, type StoredOneTimeToken } from './account-change-store';
import { bindingHolds, type AccountCredentials } from './user-store';

/**
 * An in-memory AccountChangeStore with the DynamoDB adapter's semantics, for unit tests; it
 * changes the accounts of a memory user store (`createMemoryUserStore().accounts`). `tokens` holds
 * the per-user items (the pointer to the ticket and the throttle), `tickets` the tokens' tickets,
 * `priors` the ticket each pointer replaced (kept for an undo; the purge deletes it too).
 * Each call checks and writes without an await in between, as the adapter's one transaction.
 */
export function createMemoryAccountChangeStore(
  accounts: Map<string, AccountCredentials>,
  tickets: MemoryTicketStore = createMemoryTicketStore(),
): AccountChangeStore & { readonly tokens: Map<string, StoredOneTimeToken>; readonly tickets: MemoryTicketStore } {
  const tokens = new Map<string, StoredOneTimeToken>();
  const priors = new Map<string, string>();
  const dropTicket = (hash: string | undefined) => hash !== undefined && tickets.takeNow(oneTimeTicket.kind, hash, { now: Number.NEGATIVE_INFINITY });
  const keyOf = (purpose: OneTimePurpose, userId: string) => `${purpose}#${userId}`;
  const accountOf = (email: string, userId: string) => {
    const account = accounts.get(email);
    return account?.id === userId ? account : undefined;
  };
  // Any ticket under the hash, live or not: findToken reports whether it was used, not whether it expired.
  const ticketExists = (hash: string) => tickets.peekNow(oneTimeTicket.kind, hash, { now: Number.NEGATIVE_INFINITY }) !== undefined;

  return {
    tokens,
    tickets,
    async issueToken(purpose, userId, { tokenHash, expiresAt, credentialsVersion }, now, minIntervalMs) {
      const key = keyOf(purpose, userId);
      const previous = tokens.get(key);
      if (previous && previous.sentAt > now - minIntervalMs) return { issued: false, retryAfterSeconds: retryAfterSeconds(previous.sentAt, now, minIntervalMs) };
      tickets.issueNow(oneTimeTicket.kind, tokenHash, { data: oneTimeTicket.data(purpose, userId, credentialsVersion), expiresAt });
      tokens.set(key, { tokenHash, expiresAt, sentAt: now, credentialsVersion });
      dropTicket(priors.get(key));
      if (previous?.tokenHash !== undefined && !previous.legacy) priors.set(key, previous.tokenHash);
      else priors.delete(key);
      return { issued: true, previous };
    },
    async restoreToken(purpose, userId, tokenHash, previous) {
      const key = keyOf(purpose, userId);
      const stored = tokens.get(key);
      if (stored?.legacy || stored?.tokenHash !== tokenHash) return;
      if (previous) tokens.set(key, previous);
      else tokens.delete(key);
      priors.delete(key);
      dropTicket(tokenHash);
    },
    async findToken(purpose, userId) {
      const stored = tokens.get(keyOf(purpose, userId));
      if (!stored || stored.legacy || stored.tokenHash === undefined || ticketExists(stored.tokenHash)) return stored;
      const { tokenHash: _used, ...rest } = stored;
      return rest;
    },
    async redeemToken(purpose, userId, tokenHashes, now, { email, passwordHash, credentialsVersion }) {
      const key = keyOf(purpose, userId);
      const stored = tokens.get(key);
      const account = accountOf(email, userId);
      if (!stored?.tokenHash || !tokenHashes.includes(stored.tokenHash) || !account) return false;
      if (credentialsVersion !== undefined && !bindingHolds(account, { userId, credentialsVersion })) return false;
      if (stored.legacy) {
        if (stored.expiresAt <= now) return false;
        const { tokenHash: _used, ...rest } = stored;
        tokens.set(key, rest);
      } else if (!tickets.takeNow(oneTimeTicket.kind, stored.tokenHash, { now, where: { userId, purpose } })) {
        return false;
      }
      accounts.set(email, { ...account, emailVerified: true, ...(passwordHash ? { passwordHash, credentialsVersion: account.credentialsVersion + 1 } : {}) });
      return true;
    },
    async setPasswordHash(email, userId, passwordHash) {
      const account = accountOf(email, userId);
      if (!account) return false;
      accounts.set(email, { ...account, passwordHash, credentialsVersion: account.credentialsVersion + 1 });
      return true;
    },
    async purgeTokens(userId) {
      for (const purpose of ONE_TIME_PURPOSES) {
        const key = keyOf(purpose, userId);
        const stored = tokens.get(key);
        if (!stored?.legacy) dropTicket(stored?.tokenHash);
        dropTicket(priors.get(key));
        tokens.delete(key);
        priors.delete(key);
      }
    },
    async deleteAccount(email, userId) {
      if (accountOf(email, userId)) accounts.delete(email);
    },
  };
}
