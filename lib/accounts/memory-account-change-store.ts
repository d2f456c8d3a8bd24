import type { OneTimePurpose } from '../tokens/one-time-token';
import { ONE_TIME_PURPOSES, retryAfterSeconds, type AccountChangeStore, type StoredOneTimeToken } from './account-change-store';
import { bindingHolds, type AccountCredentials } from './user-store';

/**
 * An in-memory AccountChangeStore with the DynamoDB adapter's semantics, for unit tests; it
 * changes the accounts of a memory user store (`createMemoryUserStore().accounts`).
 */
export function createMemoryAccountChangeStore(accounts: Map<string, AccountCredentials>): AccountChangeStore & { readonly tokens: Map<string, StoredOneTimeToken> } {
  const tokens = new Map<string, StoredOneTimeToken>();
  const keyOf = (purpose: OneTimePurpose, userId: string) => `${purpose}#${userId}`;
  const accountOf = (email: string, userId: string) => {
    const account = accounts.get(email);
    return account?.id === userId ? account : undefined;
  };

  return {
    tokens,
    async issueToken(purpose, userId, { tokenHash, expiresAt, credentialsVersion }, now, minIntervalMs) {
      const key = keyOf(purpose, userId);
      const previous = tokens.get(key);
      if (previous && previous.sentAt > now - minIntervalMs) return { issued: false, retryAfterSeconds: retryAfterSeconds(previous.sentAt, now, minIntervalMs) };
      tokens.set(key, { tokenHash, expiresAt, sentAt: now, credentialsVersion });
      return { issued: true, previous };
    },
    async restoreToken(purpose, userId, tokenHash, previous) {
      const key = keyOf(purpose, userId);
      if (tokens.get(key)?.tokenHash !== tokenHash) return;
      if (previous) tokens.set(key, previous);
      else tokens.delete(key);
    },
    async findToken(purpose, userId) {
      return tokens.get(keyOf(purpose, userId));
    },
    async redeemToken(purpose, userId, tokenHashes, now, { email, passwordHash, credentialsVersion }) {
      const key = keyOf(purpose, userId);
      const stored = tokens.get(key);
      const account = accountOf(email, userId);
      if (!stored?.tokenHash || !tokenHashes.includes(stored.tokenHash) || stored.expiresAt <= now || !account) return false;
      if (credentialsVersion !== undefined && !bindingHolds(account, { userId, credentialsVersion })) return false;
      tokens.set(key, { expiresAt: stored.expiresAt, sentAt: stored.sentAt, credentialsVersion: stored.credentialsVersion });
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
      for (const purpose of ONE_TIME_PURPOSES) tokens.delete(keyOf(purpose, userId));
    },
    async deleteAccount(email, userId) {
      if (accountOf(email, userId)) accounts.delete(email);
    },
  };
}
