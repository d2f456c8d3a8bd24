/**
 * What the audit trail keeps about one security event: who, when, from where, and a few details
 * from a closed list. Never a token, password, code, secret or email: only ids, the address and
 * user agent the request came from, and short values this module checks one by one.
 */
import type { SecurityEvent } from '../core/logger';

/**
 * The security events that are also stored (lib/core/logger.ts SecurityEvent), by the same name.
 * The others are operational (an email that could not be sent, a rehash) or have no account.
 */
export const AUDITED_EVENTS = [
  'login_succeeded',
  'login_failed',
  'login_throttled',
  'mfa_failed',
  'refresh_token_reuse',
  'logout',
  'logout_all',
  'password_changed',
  'password_reset_requested',
  'password_reset',
  'email_verified',
  'mfa_enabled',
  'mfa_disabled',
  'recovery_code_used',
  'recovery_codes_replaced',
  'passkey_added',
  'passkey_removed',
  'passkey_counter_regressed',
  'reauthenticated',
  'factor_reported',
  'account_deleted',
  // An admin's actions (the admin is the event's actor).
  'account_disabled',
  'account_enabled',
  'sessions_ended_by_admin',
  'roles_changed',
  // An admin's changes to the OAuth client registry (the admin is both the event's account and its actor).
  'client_created',
  'client_deleted',
  'client_secret_rotated',
] as const satisfies readonly SecurityEvent[];

export type AuditEventType = (typeof AUDITED_EVENTS)[number];

const AUDITED = new Set<string>(AUDITED_EVENTS);
export const isAuditedEvent = (event: string): event is AuditEventType => AUDITED.has(event);

/**
 * The details an event may carry, each with the one shape it may take. Anything else a log line
 * holds (a reason text, a generation, a stored counter) stays in the log only.
 */
export interface AuditDetails {
  /** How the user proved who they are, or which factor was used. */
  readonly method?: 'password' | 'totp' | 'recovery_code' | 'passkey';
  /** Which step a failed second factor was at. */
  readonly stage?: 'login' | 'confirm' | 'disable' | 'reauthenticate';
  /** The `amr` of a sign-in, space-separated. */
  readonly amr?: string;
  /** A passkey's credential id (public: the authenticator sends it with every assertion). */
  readonly credential_id?: string;
  readonly device_type?: 'singleDevice' | 'multiDevice';
  readonly sessions_ended?: number;
  readonly recovery_codes_remaining?: number;
  /** What a factor notice reported (lib/reauth/factor-notices.ts). */
  readonly change?: string;
  readonly factor_removed?: boolean;
  /** A change of roles: the roles before and after, space-separated (role names, never a permission or a secret). */
  readonly roles_before?: string;
  readonly roles_after?: string;
  /** The OAuth client a registry change was about (its id, never its secret). */
  readonly client_id?: string;
}

export interface AuditEvent {
  /** Random; with `time` it orders events that share a millisecond. */
  readonly id: string;
  /** Epoch ms. */
  readonly time: number;
  readonly type: AuditEventType;
  /** The account the event is about. */
  readonly userId: string;
  /** Who acted, when not the account itself (an admin). */
  readonly actorId?: string | undefined;
  readonly sessionId?: string | undefined;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly details: AuditDetails;
}

/** The contract's view of an event (`GET /me/security-events`, and the admin's listing): snake_case, ISO time. */
export interface AuditEventView {
  readonly id: string;
  readonly type: AuditEventType;
  readonly time: string;
  readonly user_id: string;
  readonly actor_id: string | null;
  readonly session_id: string | null;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly details: AuditDetails;
}

/** The one mapper of an event to its view. */
export function toAuditEventView(event: AuditEvent): AuditEventView {
  return {
    id: event.id,
    type: event.type,
    time: new Date(event.time).toISOString(),
    user_id: event.userId,
    actor_id: event.actorId ?? null,
    session_id: event.sessionId ?? null,
    ip: event.ip ?? null,
    user_agent: event.userAgent ?? null,
    details: event.details,
  };
}

/**
 * Whether a user's deletion keeps this event: the record of the deletion itself, and whatever an
 * admin did to the account, stay for the retention period; the rest goes with the account.
 */
export const survivesAccountDeletion = (event: Pick<AuditEvent, 'type' | 'actorId'>): boolean => event.type === 'account_deleted' || event.actorId !== undefined;
