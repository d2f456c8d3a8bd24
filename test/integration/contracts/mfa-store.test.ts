import { randomBytes, randomUUID } from 'node:crypto';
import type { AccountChangeStore } from '../../../lib/accounts/account-change-store';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import type { UserStore } from '../../../lib/accounts/user-store';
import { createDynamoDbAccountChangeStore } from '../../../lib/aws/dynamodb-account-change-store';
import { createDynamoDbMfaStore } from '../../../lib/aws/dynamodb-mfa-store';
import { createDynamoDbUserStore } from '../../../lib/aws/dynamodb-user-store';
import { createMemoryMfaStore } from '../../../lib/mfa/memory-mfa-store';
import type { MfaStore, MfaTokenRecord } from '../../../lib/mfa/mfa-store';
import { uniqueEmail } from '../../support/fixtures';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
// Now, not a fixed date: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
const NOW = Date.now();
const MAX_FAILURES = 3;
const enrolment = { at: NOW, amr: ['pwd'] };

interface Stores {
  readonly users: UserStore;
  readonly changes: AccountChangeStore;
  readonly mfa: MfaStore;
}

describeContract<Stores>(
  'MFA store',
  {
    memory: () => {
      const users = createMemoryUserStore();
      return { users, changes: createMemoryAccountChangeStore(users.accounts), mfa: createMemoryMfaStore(users) };
    },
    dynamodb: () => ({
      users: createDynamoDbUserStore(local.client, local.usersTable),
      changes: createDynamoDbAccountChangeStore(local.client, local.usersTable),
      mfa: createDynamoDbMfaStore(local.client, local.usersTable),
    }),
  },
  (build) => {
    const { users, changes, mfa } = build();

    const newAccount = async () => {
      const account = { id: randomUUID(), email: uniqueEmail('mfa'), passwordHash: 'h', createdAt: NOW, emailVerified: true, mfaEnabled: false, credentialsVersion: 0 };
      await users.create(account);
      return account;
    };
    /** An account with TOTP on at step 100 and recovery codes r1, r2. */
    const enrolled = async () => {
      const account = await newAccount();
      await mfa.savePending(account.id, 'sealed', NOW + 600_000);
      expect(await mfa.enable({ userId: account.id, email: account.email, sealedSecret: 'sealed', step: 100, recoveryCodeHashes: ['r1', 'r2'], enrolment })).toBe('enabled');
      return account;
    };
    const tokenOf = (account: { id: string; email: string }, overrides: Partial<MfaTokenRecord> = {}): MfaTokenRecord => ({
      userId: account.id,
      email: account.email,
      delivery: 'cookie',
      amr: ['pwd'],
      failures: 0,
      expiresAt: NOW + 300_000,
      credentialsVersion: 0,
      ...overrides,
    });
    const newHash = () => randomBytes(32).toString('base64url');

    it('confirms only the latest pending secret, and only while TOTP is off', async () => {
      const account = await newAccount();
      expect(await mfa.totpState(account.email, account.id)).toMatchObject({ enabled: false, recoveryCodeHashes: [], credentialsVersion: 0 });
      await mfa.savePending(account.id, 'first', NOW + 600_000);
      await mfa.savePending(account.id, 'second', NOW + 600_000);
      expect(await mfa.pending(account.id)).toEqual({ sealedSecret: 'second', expiresAt: NOW + 600_000 });
      const input = { userId: account.id, email: account.email, step: 7, recoveryCodeHashes: ['a', 'b'], enrolment };
      expect(await mfa.enable({ ...input, sealedSecret: 'first' })).toBe('stale_secret');
      expect(await mfa.enable({ ...input, sealedSecret: 'second' })).toBe('enabled');
      expect(await mfa.pending(account.id)).toBeUndefined();
      const state = (await mfa.totpState(account.email, account.id))!;
      expect({ ...state, recoveryCodeHashes: [...state.recoveryCodeHashes].sort() }).toEqual({ enabled: true, sealedSecret: 'second', lastUsedStep: 7, recoveryCodeHashes: ['a', 'b'], credentialsVersion: 0, enrolment });
      await mfa.savePending(account.id, 'third', NOW + 600_000);
      expect(await mfa.enable({ ...input, sealedSecret: 'third' })).toBe('already_enabled');
      expect(await mfa.totpState(account.email, randomUUID())).toBeUndefined();
    });

    it('spends each TOTP step and each recovery code once', async () => {
      const account = await enrolled();
      const who = { userId: account.id, email: account.email };
      expect(await mfa.spend({ ...who, use: { kind: 'totp', step: 100 } })).toBe(false);
      expect(await mfa.spend({ ...who, use: { kind: 'totp', step: 101 } })).toBe(true);
      expect(await mfa.spend({ ...who, use: { kind: 'totp', step: 101 } })).toBe(false);
      expect(await mfa.spend({ ...who, use: { kind: 'recovery', codeHash: 'r1' } })).toBe(true);
      expect(await mfa.spend({ ...who, use: { kind: 'recovery', codeHash: 'r1' } })).toBe(false);
      expect((await mfa.totpState(account.email, account.id))?.recoveryCodeHashes).toEqual(['r2']);
    });

    it('shows an MFA token while it is live: not at its expiry, not after too many failures', async () => {
      const account = await enrolled();
      const hash = newHash();
      await mfa.putMfaToken(hash, tokenOf(account));
      expect(await mfa.mfaToken(hash, NOW, MAX_FAILURES)).toEqual(tokenOf(account));
      expect(await mfa.mfaToken(hash, NOW + 300_000, MAX_FAILURES)).toBeUndefined();
      for (let failure = 0; failure < MAX_FAILURES + 1; failure++) await mfa.countMfaTokenFailure(hash, MAX_FAILURES);
      expect(await mfa.mfaToken(hash, NOW, MAX_FAILURES + 1)).toMatchObject({ failures: MAX_FAILURES });
      expect(await mfa.mfaToken(hash, NOW, MAX_FAILURES)).toBeUndefined();
      expect(await mfa.completeLogin({ tokenHash: hash, now: NOW, maxFailures: MAX_FAILURES, userId: account.id, email: account.email, credentialsVersion: 0, use: { kind: 'totp', step: 101 } })).toBe('token_invalid');
    });

    it('completes a login once: of concurrent completions with one token, exactly one wins', async () => {
      const account = await enrolled();
      const hash = newHash();
      await mfa.putMfaToken(hash, tokenOf(account));
      const complete = (step: number) => mfa.completeLogin({ tokenHash: hash, now: NOW, maxFailures: MAX_FAILURES, userId: account.id, email: account.email, credentialsVersion: 0, use: { kind: 'totp', step } });
      expect(await complete(100)).toBe('code_rejected');
      const outcomes = await Promise.all([101, 102, 103, 104].map(complete));
      expect(outcomes.filter((outcome) => outcome === 'completed')).toHaveLength(1);
      expect(await mfa.mfaToken(hash, NOW, MAX_FAILURES)).toBeUndefined();
    });

    it('ends an MFA token with the credentials it was issued under (token_invalid), spending nothing', async () => {
      const account = await enrolled();
      const hash = newHash();
      await mfa.putMfaToken(hash, tokenOf(account));
      expect(await changes.setPasswordHash(account.email, account.id, 'new')).toBe(true);
      expect(await mfa.completeLogin({ tokenHash: hash, now: NOW, maxFailures: MAX_FAILURES, userId: account.id, email: account.email, credentialsVersion: 0, use: { kind: 'recovery', codeHash: 'r1' } })).toBe('token_invalid');
      expect((await mfa.totpState(account.email, account.id))?.recoveryCodeHashes).toHaveLength(2);
    });

    it('disables with a recovery code, dropping the secret and the codes; purge drops a pending secret', async () => {
      const account = await enrolled();
      expect(await mfa.disable({ userId: account.id, email: account.email, use: { kind: 'recovery', codeHash: 'nope' } })).toBe(false);
      expect(await mfa.disable({ userId: account.id, email: account.email, use: { kind: 'recovery', codeHash: 'r2' } })).toBe(true);
      expect(await mfa.totpState(account.email, account.id)).toMatchObject({ enabled: false, sealedSecret: undefined, recoveryCodeHashes: [] });
      await mfa.savePending(account.id, 'again', NOW + 600_000);
      await mfa.purge(account.id);
      expect(await mfa.pending(account.id)).toBeUndefined();
    });
  },
);
