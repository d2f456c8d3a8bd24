import type { OneTimePurpose } from '../tokens/one-time-token';

/**
 * The writes of the account features (issue 12) beside the UserStore: one-time tokens and the
 * account changes they allow. Emails are normalised; times are epoch ms.
 *
 * One item per user and purpose holds the keyed hash of the newest token, so a new token
 * supersedes the older ones by overwriting it, and `sentAt` throttles the emails.
 */
export interface StoredOneTimeToken {
  /** Absent once the token was used (the item stays, for the throttle, until its TTL). */
  readonly tokenHash?: string | undefined;
  readonly expiresAt: number;
  /** When the email carrying it was sent. */
  readonly sentAt: number;
}

export type IssueResult =
  | { readonly issued: true; /** What the write replaced, to put back if the email cannot be sent. */ readonly previous: StoredOneTimeToken | undefined }
  | { readonly issued: false; readonly retryAfterSeconds: number };

/** What redeeming a token changes on the account, in the same transaction. */
export interface AccountChange {
  readonly email: string;
  /** The reset's new password; every redemption marks the email verified (the link proved it). */
  readonly passwordHash?: string | undefined;
}

export interface AccountChangeStore {
  /**
   * Stores a new token (superseding any older one of the purpose) in one conditional write that
   * also enforces the email throttle: refused while the last email went out less than
   * `minIntervalMs` ago.
   */
  issueToken(purpose: OneTimePurpose, userId: string, token: { tokenHash: string; expiresAt: number }, now: number, minIntervalMs: number): Promise<IssueResult>;
  /** Undoes `issueToken` when its email could not be sent: puts `previous` back, only while `tokenHash` is still the stored one. */
  restoreToken(purpose: OneTimePurpose, userId: string, tokenHash: string, previous: StoredOneTimeToken | undefined): Promise<void>;
  findToken(purpose: OneTimePurpose, userId: string): Promise<StoredOneTimeToken | undefined>;
  /**
   * Uses a token and applies the change in ONE transaction: it succeeds only while the stored
   * hash is one of `tokenHashes`, unexpired, and the account still has this id; of concurrent
   * redemptions exactly one succeeds. False when the token is not (or no longer) valid.
   */
  redeemToken(purpose: OneTimePurpose, userId: string, tokenHashes: readonly string[], now: number, change: AccountChange): Promise<boolean>;
  /** Sets the password hash of the account of `email`, if it still has this id. */
  setPasswordHash(email: string, userId: string, passwordHash: string): Promise<boolean>;
  /** Deletes every one-time token item of the user (idempotent). */
  purgeTokens(userId: string): Promise<void>;
  /** Deletes the account items (email and id) in one transaction; idempotent. */
  deleteAccount(email: string, userId: string): Promise<void>;
}

/**
 * Every purpose, for the purge on account deletion. `report_factor` items hold the outstanding factor
 * notices of a user (lib/reauth/factor-notice-store.ts) under the same key scheme, so they go too.
 */
export const ONE_TIME_PURPOSES: readonly OneTimePurpose[] = ['verify_email', 'reset_password', 'report_factor'];

/** Seconds until an email may be sent again after one sent at `sentAt`. */
export const retryAfterSeconds = (sentAt: number, now: number, minIntervalMs: number): number => Math.max(1, Math.ceil((sentAt + minIntervalMs - now) / 1000));
