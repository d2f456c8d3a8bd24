import { bindingHolds, type UserStore } from '../accounts/user-store';
import { counterAdvances, type ChallengeStore, type PasskeyRecord, type PasskeyStore, type StoredChallenge } from './passkey-store';

/**
 * In-memory passkey and challenge stores with the DynamoDB adapter's semantics, for unit tests.
 * Given the accounts, `add` checks the account and its credentials version as DynamoDB does;
 * without them (store-only tests) every account counts as there.
 */
export function createMemoryPasskeyStore(accounts?: Pick<UserStore, 'findByEmail'>): PasskeyStore & { readonly items: Map<string, PasskeyRecord> } {
  const items = new Map<string, PasskeyRecord>();
  const idsByUser = new Map<string, Set<string>>();
  return {
    items,
    async find(credentialId) {
      return items.get(credentialId);
    },
    async listByUser(userId) {
      return [...(idsByUser.get(userId) ?? [])].flatMap((id) => {
        const passkey = items.get(id);
        return passkey?.userId === userId ? [passkey] : [];
      });
    },
    async add(passkey, maxPerAccount, binding) {
      // The one await first: from here on nothing interleaves, as in one DynamoDB transaction.
      const account = accounts ? await accounts.findByEmail(binding.email) : undefined;
      if (accounts && account?.id !== passkey.userId) return 'account_missing';
      if (accounts && !bindingHolds(account, { userId: passkey.userId, credentialsVersion: binding.credentialsVersion })) return 'credentials_changed';
      if (items.has(passkey.credentialId)) return 'duplicate_credential';
      const ids = idsByUser.get(passkey.userId) ?? new Set<string>();
      if (ids.size >= maxPerAccount) return 'limit_reached';
      items.set(passkey.credentialId, passkey);
      idsByUser.set(passkey.userId, ids.add(passkey.credentialId));
      return 'added';
    },
    async remove(userId, credentialId) {
      if (items.get(credentialId)?.userId !== userId) return false;
      items.delete(credentialId);
      idsByUser.get(userId)?.delete(credentialId);
      return true;
    },
    async recordUse(credentialId, use) {
      const passkey = items.get(credentialId);
      if (!passkey) return 'missing';
      if (!counterAdvances(passkey.counter, use.counter)) return 'counter_not_advanced';
      items.set(credentialId, { ...passkey, counter: use.counter, lastUsedAt: use.lastUsedAt, backedUp: use.backedUp });
      return 'recorded';
    },
    async removeAllOf(userId) {
      for (const id of idsByUser.get(userId) ?? []) items.delete(id);
      idsByUser.delete(userId);
    },
  };
}

export function createMemoryChallengeStore(): ChallengeStore & { readonly items: Map<string, StoredChallenge> } {
  const items = new Map<string, StoredChallenge>();
  return {
    items,
    async put(key, challenge) {
      if (items.has(key)) throw new Error('challenge key collision');
      items.set(key, challenge);
    },
    async take(key, { purpose, now, userId }) {
      const challenge = items.get(key);
      if (!challenge || challenge.purpose !== purpose || challenge.expiresAt <= now) return undefined;
      if (userId !== undefined && challenge.account?.userId !== userId) return undefined;
      items.delete(key);
      return challenge;
    },
  };
}
