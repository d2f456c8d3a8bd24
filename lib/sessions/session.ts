import type { SessionClaims } from '../tokens/session-claims';

/**
 * A session as stored: one item per login, keyed by a random id (the `sid` of access tokens).
 * It never holds a usable token, only keyed hashes of them. Times are epoch milliseconds.
 */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Renewed by each refresh. */
  readonly idleExpiresAt: number;
  /** Fixed at login; no refresh extends it. */
  readonly absoluteExpiresAt: number;
  readonly generation: number;
  readonly tokenHash: string;
  readonly previousTokenHash?: string | undefined;
  readonly rotatedAt?: number | undefined;
  readonly revokedAt?: number | undefined;
  readonly revokedReason?: RevocationReason | undefined;
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
  /**
   * What its access tokens say about it (lib/tokens/session-claims.ts): decided by the sign-in that
   * opened it or the latest re-authentication (lib/sessions/sign-in.ts); a refresh keeps them.
   */
  readonly claims: SessionClaims;
  /** Credential ids of the passkeys that opened or re-authenticated it: removing one of them ends the session. */
  readonly passkeyIds?: readonly string[] | undefined;
}

export type RevocationReason =
  | 'logout'
  | 'logout_all'
  | 'ended_by_user'
  | 'refresh_token_reuse'
  | 'session_limit'
  | 'password_reset'
  | 'password_changed'
  | 'account_deleted'
  | 'second_factor_enabled'
  | 'passkey_removed'
  | 'factor_reported'
  | 'account_disabled'
  | 'signed_out_by_admin';

/** The fields a session list shows. */
export type SessionSummary = Pick<
  SessionRecord,
  'id' | 'userId' | 'createdAt' | 'lastUsedAt' | 'idleExpiresAt' | 'absoluteExpiresAt' | 'revokedAt' | 'userAgent' | 'ip' | 'passkeyIds'
>;

/** When a session ends (epoch ms): the earlier of its idle and absolute expiries. */
export const sessionExpiresAt = (session: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>): number =>
  Math.min(session.idleExpiresAt, session.absoluteExpiresAt);

/**
 * The one definition of "a session is live": not revoked, and `now` before both expiries
 * (`now == expiry` is over). Stores derive their conditions from LIVE_SESSION_RULE below.
 */
export function isSessionLive(
  session: Pick<SessionRecord, 'revokedAt' | 'idleExpiresAt' | 'absoluteExpiresAt'>,
  now: number,
): boolean {
  return session.revokedAt === undefined && now < sessionExpiresAt(session);
}

/**
 * The same rule as data, for stores that must check it inside a conditional write: the
 * attribute that must be absent, and the attributes that must lie strictly after `now`.
 */
export const LIVE_SESSION_RULE = {
  absent: ['revokedAt'],
  after: ['idleExpiresAt', 'absoluteExpiresAt'],
} as const satisfies { absent: readonly (keyof SessionRecord)[]; after: readonly (keyof SessionRecord)[] };
