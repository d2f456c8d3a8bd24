import { EmailTakenError } from '../core/errors';
import type { AccountCredentials, UserStore } from './user-store';

/** An in-memory UserStore with the DynamoDB adapter's semantics, for unit tests of the domain. */
export function createMemoryUserStore(): UserStore & { readonly attempts: Map<string, { count: number; expiresAt: number }>; readonly accounts: Map<string, AccountCredentials> } {
  const byEmail = new Map<string, AccountCredentials>();
  const emailOf = new Map<string, string>();
  const attempts = new Map<string, { count: number; expiresAt: number }>();
  return {
    attempts,
    // By email: the account features' memory store (memory-account-change-store.ts) writes here.
    accounts: byEmail,
    async create(account) {
      if (byEmail.has(account.email)) throw new EmailTakenError();
      byEmail.set(account.email, account);
      emailOf.set(account.id, account.email);
    },
    async findById(id) {
      const email = emailOf.get(id);
      const account = email === undefined ? undefined : byEmail.get(email);
      // As on DynamoDB: the email may have been deleted and registered again by another account.
      return account?.id === id ? account : undefined;
    },
    async findByEmail(email) {
      return byEmail.get(email);
    },
    async countAttempt(email, now, { maxAttempts, windowSeconds }) {
      const current = attempts.get(email);
      const expiresAt = now + windowSeconds * 1000;
      if (!current || current.expiresAt <= now) {
        attempts.set(email, { count: 1, expiresAt });
        return { allowed: true };
      }
      if (current.count >= maxAttempts) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((current.expiresAt - now) / 1000)) };
      attempts.set(email, { count: current.count + 1, expiresAt });
      return { allowed: true };
    },
    async clearAttempts(email) {
      attempts.delete(email);
    },
    async uncountAttempt(email) {
      const current = attempts.get(email);
      if (current && current.count > 0) attempts.set(email, { ...current, count: current.count - 1 });
    },
    async replacePasswordHash(email, expectedHash, nextHash) {
      const account = byEmail.get(email);
      if (!account || account.passwordHash !== expectedHash) return false;
      byEmail.set(email, { ...account, passwordHash: nextHash });
      return true;
    },
    async setRoles(userId, roles) {
      const account = await this.findById(userId);
      if (!account) return undefined;
      const next = { ...account, roles: [...roles], rolesVersion: (account.rolesVersion ?? 0) + 1 };
      byEmail.set(account.email, next);
      return next;
    },
    async listWithRoles() {
      return [...byEmail.values()].filter((account) => (account.roles?.length ?? 0) > 0).sort((a, b) => a.email.localeCompare(b.email));
    },
    async setDisabled({ id, email }, disabled) {
      const account = byEmail.get(email);
      if (account?.id !== id) return false;
      const { disabled: _was, ...rest } = account;
      byEmail.set(email, disabled ? { ...rest, disabled: true, credentialsVersion: account.credentialsVersion + 1 } : rest);
      return true;
    },
  };
}
