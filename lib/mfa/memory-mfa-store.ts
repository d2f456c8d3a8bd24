import { bindingHolds, type AccountCredentials, type UserStore } from '../accounts/user-store';
import type { FactorEnrolment } from '../reauth/factor-trust';
import { createMemoryTicketStore, type MemoryTicketStore } from '../tickets/memory-ticket-store';
import { mfaTokenOf, mfaTokenTicket, type MfaStore, type PendingTotp, type SecondFactorUse, type TotpState } from './mfa-store';

interface TotpRecord {
  enabled: boolean;
  sealedSecret: string | undefined;
  lastUsedStep: number;
  recoveryCodeHashes: Set<string>;
  enrolment?: FactorEnrolment | undefined;
  recoveryCodesIssuedAt?: number | undefined;
}

const OFF = Object.freeze({ enabled: false, sealedSecret: undefined, lastUsedStep: -1, recoveryCodeHashes: [] });

/**
 * An in-memory MfaStore with the DynamoDB adapter's semantics, over an in-memory user store.
 * On DynamoDB the TOTP flag lives on the account item, so the login sees it in its one read;
 * here `users` is the given user store seen through the same flag, for the login to use.
 * MFA tokens are tickets in `tickets` (an in-memory ticket store of their own unless given).
 */
export function createMemoryMfaStore(accounts: UserStore, tickets: MemoryTicketStore = createMemoryTicketStore()): MfaStore & { readonly users: UserStore; readonly tickets: MemoryTicketStore } {
  const totp = new Map<string, TotpRecord>(); // by user id
  const pending = new Map<string, PendingTotp>();

  const owned = async (email: string, userId: string) => (await accounts.findByEmail(email))?.id === userId;
  const withFlag = (account: AccountCredentials | undefined) => account && { ...account, mfaEnabled: totp.get(account.id)?.enabled === true };
  /** The DynamoDB condition of a spend: TOTP on, and the step later than the last or the code unused. */
  const canSpend = (record: TotpRecord | undefined, use: SecondFactorUse): record is TotpRecord =>
    record?.enabled === true && (use.kind === 'totp' ? use.step > record.lastUsedStep : record.recoveryCodeHashes.has(use.codeHash));
  const spendOn = (record: TotpRecord, use: SecondFactorUse) => {
    if (use.kind === 'totp') record.lastUsedStep = use.step;
    else record.recoveryCodeHashes.delete(use.codeHash);
  };
  const off = (lastUsedStep: number): TotpRecord => ({ enabled: false, sealedSecret: undefined, lastUsedStep, recoveryCodeHashes: new Set() });

  const users: UserStore = {
    ...accounts,
    findById: async (id) => withFlag(await accounts.findById(id)),
    findByEmail: async (email) => withFlag(await accounts.findByEmail(email)),
  };

  return {
    users,
    tickets,
    async totpState(email, userId): Promise<TotpState | undefined> {
      const account = await accounts.findByEmail(email);
      if (account?.id !== userId) return undefined;
      const record = totp.get(userId);
      const { credentialsVersion } = account;
      const roles = { ...(account.roles ? { roles: [...account.roles] } : {}), ...(account.rolesVersion !== undefined ? { rolesVersion: account.rolesVersion } : {}) };
      if (!record) return { ...OFF, credentialsVersion, ...roles };
      // The fields of TotpState only, as the DynamoDB adapter reads them (not recoveryCodesIssuedAt).
      const { enabled, sealedSecret, lastUsedStep, enrolment } = record;
      return { enabled, sealedSecret, lastUsedStep, recoveryCodeHashes: [...record.recoveryCodeHashes], credentialsVersion, enrolment, ...roles };
    },
    async savePending(userId, sealedSecret, expiresAt) {
      pending.set(userId, { sealedSecret, expiresAt });
    },
    async pending(userId) {
      return pending.get(userId);
    },
    async enable({ userId, email, sealedSecret, step, recoveryCodeHashes, enrolment }) {
      // The one await first: from here on nothing interleaves, as in one DynamoDB transaction.
      const isOwner = await owned(email, userId);
      if (pending.get(userId)?.sealedSecret !== sealedSecret || !isOwner) return 'stale_secret';
      if (totp.get(userId)?.enabled) return 'already_enabled';
      pending.delete(userId);
      totp.set(userId, { enabled: true, sealedSecret, lastUsedStep: step, recoveryCodeHashes: new Set(recoveryCodeHashes), enrolment, recoveryCodesIssuedAt: enrolment.at });
      return 'enabled';
    },
    async disable({ userId, email, use }) {
      const isOwner = await owned(email, userId);
      const record = totp.get(userId);
      if (!isOwner || !canSpend(record, use)) return false;
      totp.set(userId, off(use.kind === 'totp' ? use.step : record.lastUsedStep));
      return true;
    },
    async spend({ userId, email, use }) {
      const isOwner = await owned(email, userId);
      const record = totp.get(userId);
      if (!isOwner || !canSpend(record, use)) return false;
      spendOn(record, use);
      return true;
    },
    async replaceRecoveryCodes({ userId, email, recoveryCodeHashes, issuedAt }) {
      const isOwner = await owned(email, userId);
      const record = totp.get(userId);
      if (!isOwner || !record?.enabled) return false;
      record.recoveryCodeHashes = new Set(recoveryCodeHashes);
      record.recoveryCodesIssuedAt = issuedAt;
      return true;
    },
    async removeEnrolment({ userId, email, enrolledAt }) {
      const isOwner = await owned(email, userId);
      const record = totp.get(userId);
      if (!isOwner || !record?.enabled || record.enrolment?.at !== enrolledAt) return false;
      totp.set(userId, off(record.lastUsedStep));
      return true;
    },
    async dropRecoveryCodes({ userId, email, issuedAt }) {
      const isOwner = await owned(email, userId);
      const record = totp.get(userId);
      if (!isOwner || !record || record.recoveryCodesIssuedAt !== issuedAt) return false;
      record.recoveryCodeHashes = new Set();
      record.recoveryCodesIssuedAt = undefined;
      return true;
    },
    async putMfaToken(tokenHash, record) {
      await tickets.issue('mfa_login', tokenHash, mfaTokenTicket(record));
    },
    async mfaToken(tokenHash, now, maxFailures) {
      const ticket = await tickets.peek('mfa_login', tokenHash, { now, maxFailures });
      return ticket && mfaTokenOf(ticket);
    },
    async countMfaTokenFailure(tokenHash, maxFailures) {
      await tickets.countFailure('mfa_login', tokenHash, maxFailures);
    },
    async completeLogin({ tokenHash, now, maxFailures, userId, email, credentialsVersion, use }) {
      const account = await accounts.findByEmail(email);
      const isOwner = account?.id === userId;
      // Both checks before either write, with no await between: both are spent or neither.
      const conditions = { now, maxFailures };
      if (!tickets.peekNow('mfa_login', tokenHash, conditions)) return 'token_invalid';
      if (isOwner && !bindingHolds(account, { userId, credentialsVersion })) return 'token_invalid';
      const record = totp.get(userId);
      if (!isOwner || !canSpend(record, use)) return 'code_rejected';
      tickets.takeNow('mfa_login', tokenHash, conditions);
      spendOn(record, use);
      return 'completed';
    },
    async forgetTotp(userId, email) {
      const record = totp.get(userId);
      if (!(await owned(email, userId)) || !record) return;
      totp.set(userId, off(record.lastUsedStep));
    },
    async purge(userId) {
      pending.delete(userId);
      totp.delete(userId);
    },
  };
}
