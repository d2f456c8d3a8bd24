/**
 * OAuth's own error codes (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 8707, OpenID Connect
 * Core §3.1.2.6), for the `/oauth2/*` endpoints. The service's `{ error, message }` codes
 * (errors.ts) stay on `/auth/*`; lib/http/oauth.ts maps both to OAuth's shape.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'server_error'
  | 'temporarily_unavailable';

/**
 * The status each code is answered with when it is not sent through a redirect. 400 unless an
 * RFC says otherwise: invalid_client 401 (RFC 6749 §5.2), invalid_token 401 and
 * insufficient_scope 403 (RFC 6750 §3.1).
 */
export const OAUTH_ERROR_STATUS: Readonly<Record<OAuthErrorCode, number>> = Object.freeze({
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  access_denied: 403,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
});

/** How the client tried to authenticate, which decides invalid_client's WWW-Authenticate. */
export type ClientAuthScheme = 'Basic' | undefined;

/** An error of an OAuth endpoint: `{ error, error_description }` with the code's status. */
export class OAuthError extends Error {
  override get name(): string {
    return 'OAuthError';
  }
  readonly status: number;
  readonly headers: Record<string, string> = {};

  constructor(
    readonly code: OAuthErrorCode,
    /** Shown to the client developer (and on an error page): plain ASCII, no secrets. */
    readonly description: string,
    options: { cause?: unknown; clientAuthScheme?: ClientAuthScheme } = {},
  ) {
    super(description, { cause: options.cause });
    this.status = OAUTH_ERROR_STATUS[code];
    // RFC 6749 §5.2: a client that authenticated with the Authorization header gets 401 with a
    // challenge for the scheme it used.
    if (code === 'invalid_client' && options.clientAuthScheme === 'Basic') this.headers['WWW-Authenticate'] = 'Basic realm="oauth2", charset="UTF-8"';
    if (code === 'invalid_token' || code === 'insufficient_scope') this.headers['WWW-Authenticate'] = `Bearer error="${code}"`;
  }
}
