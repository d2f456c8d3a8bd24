import type { OneTimePurpose } from '../tokens/one-time-token';

/**
 * The writes of the account features beside the UserStore: one-time tokens and the
 * account changes they allow. Emails are normalised; times are epoch ms.
 *
 * A token is a single-use ticket (lib/tickets, kind `one_time_token`) under its keyed hash. Beside
 * it, one item per user and purpose names the newest token's hash and holds `sentAt`, the email
 * throttle: issuing writes both in one transaction, so a new token supersedes the older ones by
 * renaming the pointer (the older ticket stays until it expires but can no longer be taken), and
 * redeeming takes the ticket only while the pointer still names it.
 *
 * Tokens stored before tokens were tickets keep their hash in the per-user item itself (`legacy`);
 * they are redeemed as before until they expire.
 */
export interface StoredOneTimeToken {
  /**
   * The hash of the newest token. From findToken: absent once that token was used (the item stays,
   * for the throttle, until its TTL). From issueToken's `previous`: the hash the item named.
   */
  readonly tokenHash?: string | undefined;
  readonly expiresAt: number;
  /** When the email carrying it was sent. */
  readonly sentAt: number;
  /** The account's credentials version when it was issued (0 for tokens stored before versions). */
  readonly credentialsVersion: number;
  /** An item written before tokens were tickets: its hash is in the item, and no ticket exists. */
  readonly legacy?: true | undefined;
}

/**
 * Purposes whose token dies with a new password: a reset link is taken only while the account's
 * credentials version is still the one it was issued under. A verification link proves the mailbox
 * whatever the password, so it stays. So does a factor notice's report link: a password reset is
 * what the owner does after an intrusion, and the passkey or TOTP the intruder added survives it;
 * the report link is how the owner removes that factor afterwards.
 */
export const BOUND_TO_CREDENTIALS: Readonly<Record<OneTimePurpose, boolean>> = { verify_email: false, reset_password: true, report_factor: false };

export type IssueResult =
  | { readonly issued: true; /** What the write replaced, to put back if the email cannot be sent. */ readonly previous: StoredOneTimeToken | undefined }
  | { readonly issued: false; readonly retryAfterSeconds: number };

/** What redeeming a token changes on the account, in the same transaction. */
export interface AccountChange {
  readonly email: string;
  /** The reset's new password (which moves the account to its next credentials version); every redemption marks the email verified (the link proved it). */
  readonly passwordHash?: string | undefined;
  /** For a token bound to the credentials: the version it was issued under, which the account must still have. */
  readonly credentialsVersion?: number | undefined;
}

export interface AccountChangeStore {
  /**
   * Stores a new token (superseding any older one of the purpose) in one transaction, its ticket
   * and the pointer to it, that also enforces the email throttle: refused while the last email
   * went out less than `minIntervalMs` ago.
   */
  issueToken(purpose: OneTimePurpose, userId: string, token: { tokenHash: string; expiresAt: number; credentialsVersion: number }, now: number, minIntervalMs: number): Promise<IssueResult>;
  /**
   * Undoes `issueToken` when its email could not be sent: puts `previous` back (so the link before
   * works again, unless it was used meanwhile) and drops the new ticket, only while `tokenHash` is
   * still the stored one.
   */
  restoreToken(purpose: OneTimePurpose, userId: string, tokenHash: string, previous: StoredOneTimeToken | undefined): Promise<void>;
  findToken(purpose: OneTimePurpose, userId: string): Promise<StoredOneTimeToken | undefined>;
  /**
   * Uses a token and applies the change in ONE transaction: it takes the ticket of the hash the
   * pointer names, if that is one of `tokenHashes`, unexpired, while the pointer still names it and
   * the account still has this id (and the change's credentials version, when it names one); of
   * concurrent redemptions exactly one succeeds. False when the token is not (or no longer) valid.
   */
  redeemToken(purpose: OneTimePurpose, userId: string, tokenHashes: readonly string[], now: number, change: AccountChange): Promise<boolean>;
  /** Sets the password hash of the account of `email`, if it still has this id, and moves it to its next credentials version. */
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

/**
 * The ticket of a one-time token (both adapters): its kind, and what it carries. Its purpose and
 * account are checked when it is taken; the credentials version is the pointer's, kept beside it.
 */
export const oneTimeTicket = {
  kind: 'one_time_token',
  data: (purpose: OneTimePurpose, userId: string, credentialsVersion: number) => ({ purpose, userId, credentialsVersion }),
} as const;
