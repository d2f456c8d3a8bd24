import { bindingHolds, type UserStore } from '../accounts/user-store';
import { createMemoryTicketStore, type MemoryTicketStore } from '../tickets/memory-ticket-store';
import { createChallengeStore } from './challenges';
import { counterAdvances, type ChallengeStore, type PasskeyRecord, type PasskeyStore } from './passkey-store';

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

/** The in-memory challenge store: the ticket-backed one over an in-memory ticket store. */
export function createMemoryChallengeStore(tickets: MemoryTicketStore = createMemoryTicketStore()): ChallengeStore & { readonly tickets: MemoryTicketStore } {
  return { ...createChallengeStore(tickets), tickets };
}
