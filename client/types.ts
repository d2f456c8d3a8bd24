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

/** What a login or refresh gave the client. */
export interface TokenInfo {
  /** The server's `expires_in`, seconds. */
  readonly expiresIn: number;
  /** Epoch ms, client clock. */
  readonly expiresAt: number;
  readonly refreshTokenExpiresIn: number;
  /** The session id (`sid`) of the access token, when it can be read; for display and `endSession`. */
  readonly sessionId: string | undefined;
}

export type LoggedOutReason = 'logout' | 'logout-all' | 'session-ended' | 'refresh-failed';
