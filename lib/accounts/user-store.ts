/** An account as the domain sees it. Times are epoch ms. */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly createdAt: number;
  readonly emailVerified: boolean;
  readonly mfaEnabled: boolean;
  /**
   * Bumped by every password reset and change, in the write that sets the new password. A pending
   * MFA token, WebAuthn challenge or reset link records the version it was issued under, and is
   * taken only while the account still has it: a new password ends them all. An account stored
   * before the counter existed is at version 0.
   */
  readonly credentialsVersion: number;
  /**
   * The account's roles (lib/authz/roles.ts): sorted, each once; none at registration, and an
   * account stored before roles existed reads as none. Left out when creating an account.
   */
  readonly roles?: readonly string[] | undefined;
  /**
   * Bumped by every change of roles, in the same write. A login that decided its session's roles
   * from the account stores the session only while the account is still at this version, so a
   * login racing a role change cannot open a session with the roles just taken away. 0 when absent.
   */
  readonly rolesVersion?: number | undefined;
  /**
   * Set by an admin (lib/accounts/account-status.ts): no login of any kind opens a session, and /me
   * refuses it. Absent (undefined) on every account that was never disabled.
   */
  readonly disabled?: boolean | undefined;
}

/** An account's roles; none when the record has none. */
export const rolesOf = (account: Pick<Account, 'roles'>): readonly string[] => account.roles ?? [];

/** The version of a new account's credentials. */
export const FIRST_CREDENTIALS_VERSION = 0;

/** What a pending item was issued under: an account (its email item must still be this id's) and its credentials version then. */
export interface CredentialsBinding {
  readonly userId: string;
  readonly email: string;
  readonly credentialsVersion: number;
}

/** The binding rule, for the in-memory stores; the DynamoDB adapters state it as a condition (credentialsVersionIs). */
export function bindingHolds(account: Pick<Account, 'id' | 'credentialsVersion'> | undefined, binding: Pick<CredentialsBinding, 'userId' | 'credentialsVersion'>): boolean {
  return account !== undefined && account.id === binding.userId && account.credentialsVersion === binding.credentialsVersion;
}

export interface AccountCredentials extends Account {
  /**
   * The PHC string of the account's password; undefined for an account without one (created
   * through another identity provider), whose password login is refused like a wrong password.
   */
  readonly passwordHash?: string | undefined;
}

/** An account whose password was just checked: it has one. */
export type PasswordAccount = AccountCredentials & { readonly passwordHash: string };

/** Limits of the per-email attempt counter (LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_SECONDS). */
export interface AttemptLimits {
  readonly maxAttempts: number;
  readonly windowSeconds: number;
}

export type AttemptDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** The user store port; emails are already normalised. */
export interface UserStore {
  /** Creates the account; throws EmailTakenError when the email already has one. */
  create(account: AccountCredentials): Promise<void>;
  findById(id: string): Promise<AccountCredentials | undefined>;
  findByEmail(email: string): Promise<AccountCredentials | undefined>;
  /**
   * Counts one attempt for an email, known or not, in one conditional write: it is counted only
   * while under the limit or after the window has passed (which starts a new window); otherwise
   * nothing is written and the answer says how long to wait. The window runs from the last
   * counted attempt.
   */
  countAttempt(email: string, now: number, limits: AttemptLimits): Promise<AttemptDecision>;
  clearAttempts(email: string): Promise<void>;
  /** Takes back one counted attempt (never below zero): a right password on an account whose login goes on to a second factor. */
  uncountAttempt(email: string): Promise<void>;
  /** Replaces the password hash, only if it is still `expectedHash` (a concurrent change wins). */
  replacePasswordHash(email: string, expectedHash: string, nextHash: string): Promise<boolean>;
  /**
   * Replaces the account's roles (already normalised: sorted, each once) and bumps its roles
   * version, in one conditional write on the account. The account as it now stands, or undefined
   * when there is no account of this id.
   */
  setRoles(userId: string, roles: readonly string[]): Promise<AccountCredentials | undefined>;
  /** Every account that holds at least one role (an operator's listing: it reads the whole table), by email. */
  listWithRoles(): Promise<AccountCredentials[]>;
  /**
   * Disables or enables the account of `email`, if it still has this id (false otherwise).
   * Disabling also moves the account to its next credentials version, in the same write, so every
   * pending MFA token, passkey challenge and reset link issued before it is dead; enabling does not
   * bring them back. Idempotent apart from that version.
   */
  setDisabled(account: { readonly id: string; readonly email: string }, disabled: boolean): Promise<boolean>;
}
