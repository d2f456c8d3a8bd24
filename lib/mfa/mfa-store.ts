/**
 * The MFA store port. Where things live (DynamoDB adapter, users table keyed by `pk`):
 * - the confirmed TOTP state sits on the account's own `EMAIL#<email>` item (`totpEnabled`,
 *   `totpSecret` sealed, `totpLastStep`, `recoveryCodes` a string set of keyed hashes, and how and
 *   when TOTP was enrolled and the codes issued: `totpEnrolledAt`, `totpEnrolledAmr`,
 *   `recoveryCodesIssuedAt`), so the
 *   login's one read of that item already knows whether a second step is due, the verify step
 *   reads everything it needs in one more read, and deleting the account deletes it too;
 * - an unconfirmed secret in `TOTP_PENDING#<userId>` with a TTL (a newer setup overwrites it);
 * - MFA tokens as single-use tickets (lib/tickets, kind `mfa_login`) under their keyed hash.
 * Every write that spends something (a TOTP step, a recovery code, an MFA token) is conditional,
 * so of concurrent attempts exactly one succeeds. Times are epoch ms.
 */
import type { FactorEnrolment } from '../reauth/factor-trust';
import type { Ticket, TicketData } from '../tickets/ticket-store';
import type { RefreshTokenDelivery } from '../sessions/session-service';

/** How the refresh token of the finished login travels; remembered from the password step. */
export type { RefreshTokenDelivery };

export interface TotpState {
  readonly enabled: boolean;
  /** The secret sealed by a SecretBox (bound to the user id); absent while TOTP is off. */
  readonly sealedSecret: string | undefined;
  /** The latest time step accepted for this account; a code is accepted only for a later step. */
  readonly lastUsedStep: number;
  /** Keyed hashes of the unused recovery codes. */
  readonly recoveryCodeHashes: readonly string[];
  /** The account's credentials version (lib/accounts/user-store.ts), read with the rest. */
  readonly credentialsVersion: number;
  /** How TOTP was enrolled; undefined while it is off, or for an enrolment older than this record. */
  readonly enrolment?: FactorEnrolment | undefined;
  /** The account's roles and their version (lib/accounts/user-store.ts), read with the rest: the login's session takes its roles from them. Absent when never set. */
  readonly roles?: readonly string[] | undefined;
  readonly rolesVersion?: number | undefined;
}

export interface PendingTotp {
  readonly sealedSecret: string;
  readonly expiresAt: number;
}

export interface MfaTokenRecord {
  readonly userId: string;
  readonly email: string;
  readonly delivery: RefreshTokenDelivery;
  /** The methods of the first step (["pwd"]); the second step's are added when it succeeds. */
  readonly amr: readonly string[];
  readonly failures: number;
  readonly expiresAt: number;
  /** The account's credentials version at the password step; a new password since ends the token. */
  readonly credentialsVersion: number;
}

/** The MFA token's ticket: the login as the ticket's data (both adapters store it so). */
export function mfaTokenTicket({ expiresAt, failures: _failures, ...login }: MfaTokenRecord): { data: TicketData; expiresAt: number } {
  return { data: { ...login, amr: [...login.amr] }, expiresAt };
}

/** The MFA token of a ticket. */
export function mfaTokenOf({ data, expiresAt, failures }: Ticket): MfaTokenRecord {
  return {
    userId: String(data.userId),
    email: String(data.email),
    delivery: data.delivery === 'cookie' ? 'cookie' : 'body',
    amr: Array.isArray(data.amr) ? data.amr.map(String) : ['pwd'],
    failures,
    expiresAt,
    credentialsVersion: typeof data.credentialsVersion === 'number' ? data.credentialsVersion : 0,
  };
}

/** What a successful second step spends: a TOTP step, or one recovery code (by its hash). */
export type SecondFactorUse = { readonly kind: 'totp'; readonly step: number } | { readonly kind: 'recovery'; readonly codeHash: string };

export type EnableOutcome = 'enabled' | 'stale_secret' | 'already_enabled';
export type CompleteLoginOutcome = 'completed' | 'token_invalid' | 'code_rejected';

export interface MfaStore {
  /** The TOTP state of the account with this email, if that account still belongs to `userId`. */
  totpState(email: string, userId: string): Promise<TotpState | undefined>;
  /** Keeps an unconfirmed secret, replacing any earlier one: only the latest setup confirms. */
  savePending(userId: string, sealedSecret: string, expiresAt: number): Promise<void>;
  pending(userId: string): Promise<PendingTotp | undefined>;
  /**
   * Turns TOTP on with the pending secret, in one transaction: the pending item is consumed only
   * if it still holds `sealedSecret`, and the account only if TOTP is off. `step` (the confirming
   * code's) becomes the last used step, so that code cannot log in afterwards.
   */
  enable(input: { userId: string; email: string; sealedSecret: string; step: number; recoveryCodeHashes: readonly string[]; enrolment: FactorEnrolment }): Promise<EnableOutcome>;
  /**
   * Turns TOTP off, spending the second factor in the same write; false when TOTP is off, the step
   * is not later than the last used one, or the recovery code is not (or no longer) there.
   */
  disable(input: { userId: string; email: string; use: SecondFactorUse }): Promise<boolean>;
  /** Spends a TOTP step or a recovery code without an MFA token (a re-authentication), in one conditional write. */
  spend(input: { userId: string; email: string; use: SecondFactorUse }): Promise<boolean>;
  /** Replaces every recovery code, recording when (`issuedAt`, epoch ms); false when TOTP is off. */
  replaceRecoveryCodes(input: { userId: string; email: string; recoveryCodeHashes: readonly string[]; issuedAt: number }): Promise<boolean>;
  /** "This wasn't me": turns TOTP off only if it is still the enrolment of `enrolledAt`; false otherwise. */
  removeEnrolment(input: { userId: string; email: string; enrolledAt: number }): Promise<boolean>;
  /** "This wasn't me": drops the recovery codes only if they are still the ones issued at `issuedAt`; false otherwise. */
  dropRecoveryCodes(input: { userId: string; email: string; issuedAt: number }): Promise<boolean>;
  /** Issues the MFA token's ticket under its keyed hash. */
  putMfaToken(tokenHash: string, record: MfaTokenRecord): Promise<void>;
  /** The MFA token's record while it is live at `now` (the ticket rule, ticketHolds: not expired, fewer than `maxFailures` wrong codes), without spending it. */
  mfaToken(tokenHash: string, now: number, maxFailures: number): Promise<MfaTokenRecord | undefined>;
  /** Counts a wrong code against the token, only while it has fewer than `maxFailures`. */
  countMfaTokenFailure(tokenHash: string, maxFailures: number): Promise<void>;
  /**
   * Spends the MFA token (live, fewer than `maxFailures`) and the second factor in one
   * transaction: of concurrent calls with one token, or with one code, at most one completes.
   * The account must still have `credentialsVersion` (the token's), else `token_invalid`.
   */
  completeLogin(input: { tokenHash: string; now: number; maxFailures: number; userId: string; email: string; credentialsVersion: number; use: SecondFactorUse }): Promise<CompleteLoginOutcome>;
  /** Deletes what is kept about a user outside the account item (the pending secret). */
  purge(userId: string): Promise<void>;
  /** Turns TOTP off and drops its secret and recovery codes, whatever the code (a first proof of the mailbox by a reset). */
  forgetTotp(userId: string, email: string): Promise<void>;
}

/**
 * The live MFA token presented, under whichever of its hashes it is stored (`hashes`: current key
 * first, then the previous one during a hash-key rotation), with that hash: a token minted just
 * before a rotation still finishes its login. The previous key costs a read only for a token not
 * found under the current one.
 */
export async function findLiveMfaToken(mfa: Pick<MfaStore, 'mfaToken'>, hashes: readonly string[], now: number, maxFailures: number): Promise<{ tokenHash: string; login: MfaTokenRecord } | undefined> {
  for (const tokenHash of hashes) {
    const login = await mfa.mfaToken(tokenHash, now, maxFailures);
    if (login) return { tokenHash, login };
  }
  return undefined;
}
