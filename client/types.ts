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

export type LoggedOutReason = 'logout' | 'logout-all' | 'session-ended' | 'refresh-failed' | 'account-deleted';

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
