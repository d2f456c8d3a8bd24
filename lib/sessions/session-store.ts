import type { AccountClaims, SessionClaims } from '../tokens/session-claims';
import type { RevocationReason, SessionRecord, SessionSummary } from './session';

/**
 * The session store port. Live sessions of a user are reachable through a by-user index that
 * holds only what never changes after login (id, createdAt, absoluteExpiresAt): a refresh then
 * writes one item and no index entry, and a revoked session leaves the index at once.
 */
export interface SessionStore {
  /**
   * Stores a new session. With a guard, only if the account still holds what the login relied on
   * (the password hash it verified, or the credentials version its passkey challenge was issued
   * under), in the same write: a login racing a password reset or change cannot open a session
   * after their sweep (throws InvalidCredentialsError then). The guard also requires the account
   * not to be disabled, so a login racing a disable cannot open a session after its sweep either.
   * A guard with `rolesVersion` also requires the account's roles version the session's roles were
   * decided from: a login racing a role change cannot open a session with the roles it had read
   * (throws RolesChangedError then, while the rest of the guard still holds).
   */
  create(session: SessionRecord, guard?: CredentialGuard): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** Swaps the current token hash in one conditional write; never a read before it. */
  rotate(request: RotationRequest): Promise<RotationResult>;
  /**
   * Records a re-authentication in one conditional write, only on a live session of `userId`:
   * the claims a sign-in decides (`amr`, `auth_time`) become the re-authentication's, the
   * account's (ACCOUNT_CLAIMS: roles, scope) stay as the session holds them, and a passkey proof
   * joins `passkeyIds`. The session as it now stands, or undefined when there is no such live session.
   */
  reauthenticate(request: ReauthenticationRequest): Promise<SessionRecord | undefined>;
  /**
   * Writes the account's claims (roles, scope) onto a live session of `userId`, in one conditional
   * write: the next refresh signs them. False when there is no such live session.
   */
  setAccountClaims(request: AccountClaimsRequest): Promise<boolean>;
  /** Marks a session revoked and drops it from the by-user index (the item stays until its TTL, for reuse detection). */
  revoke(sessionId: string, reason: RevocationReason, now: number, condition?: RevokeCondition): Promise<boolean>;
  /**
   * Revokes as `revoke` does, and says whose session this call ended (undefined when it ended
   * none): a logout's refresh token names only the session, and its security event needs the
   * user. The same one write; the owner comes back with it.
   */
  revokeOwned(sessionId: string, reason: RevocationReason, now: number): Promise<{ userId: string } | undefined>;
  /** One page of a user's indexed (not revoked) sessions; expired ones may still be among them. */
  listIndexed(userId: string, options: { limit: number; after?: IndexKey | undefined; newestFirst: boolean }): Promise<IndexPage>;
  /** The listing fields of up to 100 sessions, in one batch read. */
  summaries(sessionIds: readonly string[]): Promise<SessionSummary[]>;
}

/**
 * What the account (by its email item, which must still be this user id's) must still hold: the
 * password hash a login verified, or a credentials version; and, with `rolesVersion`, the roles
 * version the session's roles were decided from (0 also matches an account without the attribute).
 */
export type CredentialGuard = { readonly email: string; readonly userId: string; readonly rolesVersion?: number | undefined } & (
  | { readonly passwordHash: string }
  | { readonly credentialsVersion: number }
);

/** The guard's roles version no longer holds (a role change came between the login's read and its write); the rest of the guard does. */
export class RolesChangedError extends Error {
  override readonly name = 'RolesChangedError';
  constructor() {
    super('the account\'s roles changed while the session was being opened');
  }
}

/** What the by-user index holds of a session. */
export interface IndexedSession {
  readonly id: string;
  readonly createdAt: number;
  readonly absoluteExpiresAt: number;
}

/** Where a page of the by-user index ends. */
export interface IndexKey {
  readonly id: string;
  readonly createdAt: number;
}

export interface IndexPage {
  readonly sessions: readonly IndexedSession[];
  readonly next?: IndexKey | undefined;
}

export interface RotationRequest {
  readonly sessionId: string;
  readonly presentedHash: string;
  readonly nextHash: string;
  readonly nextGeneration: number;
  readonly now: number;
  readonly idleExpiresAt: number;
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
}

export interface ReauthenticationRequest {
  readonly sessionId: string;
  readonly userId: string;
  readonly now: number;
  readonly claims: SessionClaims;
  readonly passkeyId?: string | undefined;
}

export interface AccountClaimsRequest {
  readonly sessionId: string;
  readonly userId: string;
  readonly now: number;
  readonly claims: AccountClaims;
}

export type RotationResult =
  | { readonly rotated: true; readonly session: SessionRecord }
  /** `session` is the item as it stood when the condition failed (absent when there is none). */
  | { readonly rotated: false; readonly session: SessionRecord | undefined };

export interface RevokeCondition {
  /** Only a session of this user. */
  readonly userId?: string;
  /** Only a session that is live at this time. */
  readonly liveAt?: number;
}

/** The most ids one `summaries` call takes (DynamoDB's BatchGetItem limit). */
export const MAX_SUMMARIES_PER_CALL = 100;
