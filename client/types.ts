import type { AuthError, MfaChallenge } from './errors';

export type { MfaChallenge } from './errors';

export type Delivery = 'cookie' | 'body';

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** `POST /auth/register` */
export interface Account {
  readonly id: string;
  /** Normalised by the server: trimmed, NFKC, lower case. */
  readonly email: string;
  /** ISO 8601 */
  readonly createdAt: string;
}

/** One entry of `GET /auth/sessions`; times are ISO 8601. */
export interface Session {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** The session of the token that asked. */
  readonly current: boolean;
}

/** A new access token: what a re-authentication gave the client (the refresh token stays as it was). */
export interface AccessTokenInfo {
  /** The server's `expires_in`, seconds. */
  readonly expiresIn: number;
  /** Epoch ms, client clock. */
  readonly expiresAt: number;
  /** The session id (`sid`) of the access token, when it can be read; for display and `endSession`. */
  readonly sessionId: string | undefined;
}

/** What a login or refresh gave the client. */
export interface TokenInfo extends AccessTokenInfo {
  readonly refreshTokenExpiresIn: number;
}

/**
 * Proof for `reauthenticate`: the password, plus a current TOTP code or a recovery code when the
 * account has TOTP on (the password alone is then `invalid_request`).
 */
export type PasswordProof =
  | { readonly password: string; readonly code?: string; readonly recoveryCode?: undefined }
  | { readonly password: string; readonly recoveryCode: string; readonly code?: undefined };

export type LoggedOutReason = 'logout' | 'logout-all' | 'session-ended' | 'refresh-failed' | 'account-deleted' | 'account-disabled';

/** `GET /auth/sessions`: one page, newest first; pass `nextCursor` back as `cursor` for the next one. */
export interface SessionPage {
  readonly sessions: Session[];
  /** Absent on the last page. */
  readonly nextCursor?: string;
}

/** `GET /me` */
export interface Me {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly mfaEnabled: boolean;
  readonly sessionId: string;
}

/** A current TOTP code from the authenticator app, or one of the recovery codes. */
export type MfaAnswer = { readonly code: string } | { readonly recoveryCode: string };

/**
 * Asks the person for a code. Called again with the refusal after a wrong code (`invalid_mfa_code`);
 * reject (e.g. the person cancelled) to give up the login.
 */
export type MfaPrompt = (challenge: MfaChallenge, previousError?: AuthError) => Promise<MfaAnswer>;

/** `POST /auth/mfa/totp/setup`: shown once, to scan or type into an authenticator app. */
export interface TotpEnrolment {
  /** Base32; show it once, never log it. */
  readonly secret: string;
  readonly otpauthUri: string;
  /** An SVG document of the QR code: show it as an image (`data:image/svg+xml`), never as HTML. */
  readonly qrSvg: string;
}

/** One entry of `GET /auth/passkeys`; times are ISO 8601. */
export interface Passkey {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/** `POST /auth/passkeys/register/verify` */
export interface RegisteredPasskey {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

/** The kinds of security event the service records (`GET /me/security-events`, `GET /admin/audit`). */
export type SecurityEventType =
  | 'login_succeeded'
  | 'login_failed'
  | 'login_throttled'
  | 'mfa_failed'
  | 'refresh_token_reuse'
  | 'logout'
  | 'logout_all'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'email_verified'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'recovery_code_used'
  | 'recovery_codes_replaced'
  | 'passkey_added'
  | 'passkey_removed'
  | 'passkey_counter_regressed'
  | 'reauthenticated'
  | 'factor_reported'
  | 'account_deleted'
  | 'account_disabled'
  | 'account_enabled'
  | 'sessions_ended_by_admin'
  | 'roles_changed';

/** The few facts an event may carry (the service's closed list, camelCased); never a token, password or code. */
export interface SecurityEventDetails {
  readonly method?: 'password' | 'totp' | 'recovery_code' | 'passkey';
  readonly stage?: 'login' | 'confirm' | 'disable' | 'reauthenticate';
  /** The sign-in's `amr` values, space-separated. */
  readonly amr?: string;
  readonly credentialId?: string;
  readonly deviceType?: 'singleDevice' | 'multiDevice';
  readonly sessionsEnded?: number;
  readonly recoveryCodesRemaining?: number;
  readonly change?: string;
  readonly factorRemoved?: boolean;
  /** `roles_changed`: space-separated. */
  readonly rolesBefore?: string;
  readonly rolesAfter?: string;
}

/** One security event; `time` is ISO 8601. */
export interface SecurityEvent {
  readonly id: string;
  /** A type this client does not know yet comes through as the service's string. */
  readonly type: SecurityEventType | (string & {});
  readonly time: string;
  /** The account the event is about. */
  readonly userId: string;
  /** The admin who acted on the account; null when the account's own user (or someone trying to be them) did. */
  readonly actorId: string | null;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly details: SecurityEventDetails;
}

/** `GET /me/security-events`, `GET /admin/audit`: one page, newest first; pass `nextCursor` back as `cursor` for the next one. */
export interface SecurityEventPage {
  readonly events: SecurityEvent[];
  /** Absent on the last page; a page may be short (even empty) while it is present. */
  readonly nextCursor?: string;
}

/** An account as the admin API shows it (`GET /admin/users`, `PUT /admin/users/{id}/roles`). */
export interface AdminUser {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly roles: string[];
  readonly disabled: boolean;
  /** TOTP is on. */
  readonly mfaEnabled: boolean;
  /** ISO 8601 */
  readonly createdAt: string;
}

/** `GET /admin/users/{id}` */
export interface AdminUserDetail extends AdminUser {
  readonly passkeyCount: number;
  readonly liveSessionCount: number;
}

/** `GET /admin/users`: one page (at most 100, in no particular order; it may be short while `nextCursor` is present). */
export interface AdminUserPage {
  readonly users: AdminUser[];
  readonly nextCursor?: string;
}
