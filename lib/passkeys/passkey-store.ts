/**
 * Storage ports of passkeys and of WebAuthn challenges. Nothing here is secret: a passkey is a
 * public key and its metadata; a challenge is kept only as keyed hashes (see passkey-hashes.ts).
 * Times are epoch ms.
 */
import type { CredentialsBinding } from '../accounts/user-store';

export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/** One registered passkey, found at login by its credential id alone. */
export interface PasskeyRecord {
  /** base64url credential id. */
  readonly credentialId: string;
  readonly userId: string;
  /** base64url of the COSE public key. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: readonly string[];
  /** Backup state (BS flag) as last seen. */
  readonly backedUp: boolean;
  readonly deviceType: PasskeyDeviceType;
  readonly name: string;
  /** When it was enrolled. */
  readonly createdAt: number;
  readonly lastUsedAt: number | undefined;
  /** The `amr` of the session that enrolled it (lib/reauth/factor-trust.ts); absent on passkeys enrolled before this was recorded. */
  readonly enrolledAmr?: readonly string[] | undefined;
}

/** How a passkey was enrolled, for the factor-trust rule. */
export const enrolmentOf = (passkey: Pick<PasskeyRecord, 'createdAt' | 'enrolledAmr'>) => (passkey.enrolledAmr ? { at: passkey.createdAt, amr: passkey.enrolledAmr } : undefined);

/**
 * `account_missing`: the account was deleted meanwhile (its purge has run; nothing may be added
 * after it); `credentials_changed`: its password was reset or changed since the challenge.
 */
export type AddPasskeyResult = 'added' | 'duplicate_credential' | 'limit_reached' | 'account_missing' | 'credentials_changed';

export type RecordUseResult = 'recorded' | 'counter_not_advanced' | 'missing';

/** What a successful login changes on a passkey. */
export interface PasskeyUse {
  readonly counter: number;
  readonly lastUsedAt: number;
  readonly backedUp: boolean;
}

export interface PasskeyStore {
  /** The passkey with this credential id, in one read, or undefined. */
  find(credentialId: string): Promise<PasskeyRecord | undefined>;
  /** Every passkey of an account (no scan: through the account's list of credential ids). */
  listByUser(userId: string): Promise<PasskeyRecord[]>;
  /**
   * Stores a new passkey and lists it under its account, both or neither; at most `maxPerAccount`,
   * and only while the account (by its email item) still exists with the credentials version the
   * registration's challenge was issued under.
   */
  add(passkey: PasskeyRecord, maxPerAccount: number, account: Pick<CredentialsBinding, 'email' | 'credentialsVersion'>): Promise<AddPasskeyResult>;
  /** Removes one passkey of `userId`; false when it does not exist or belongs to another account. */
  remove(userId: string, credentialId: string): Promise<boolean>;
  /**
   * Records a login, only while the stored counter is still behind `use.counter` (or both are 0,
   * for authenticators without a counter), in one conditional write; otherwise nothing changes and
   * the answer says why (a concurrent login got further, or the passkey was removed).
   */
  recordUse(credentialId: string, use: PasskeyUse): Promise<RecordUseResult>;
  /** Removes every passkey of an account and its list (account deletion); idempotent. */
  removeAllOf(userId: string): Promise<void>;
}

export type ChallengePurpose = 'registration' | 'login';

/** A challenge as stored: under the keyed hash of its id, holding the keyed hash of its value. */
export interface StoredChallenge {
  readonly purpose: ChallengePurpose;
  readonly challengeHash: string;
  /**
   * The account it was issued to and that account's credentials version then: always for a
   * registration; for a login when its options were asked for with the email of an account.
   */
  readonly account?: CredentialsBinding | undefined;
  readonly expiresAt: number;
}

export interface ChallengeStore {
  /** Stores a challenge under `key` (never overwriting one). */
  put(key: string, challenge: StoredChallenge): Promise<void>;
  /**
   * Takes the challenge under `key` in one conditional delete: only one of its purpose, not expired
   * at `now`, and (when `userId` is given) issued to that account. Undefined when there is none,
   * so a replay, a stale or a foreign challenge all come back undefined.
   */
  take(key: string, expected: { purpose: ChallengePurpose; now: number; userId?: string }): Promise<StoredChallenge | undefined>;
}

/**
 * The signature-counter rule: authenticators without a counter always send 0 (accepted while the
 * stored one is 0 too); once either is non-zero the new one must be strictly greater, else the
 * key may have been cloned.
 */
export function counterAdvances(stored: number, received: number): boolean {
  return (stored === 0 && received === 0) || received > stored;
}
