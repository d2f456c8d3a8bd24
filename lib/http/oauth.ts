/**
 * OAuth's error shape, `{ error, error_description }` (RFC 6749 §5.2), for the `/oauth2/*` routes:
 * their own OAuthErrors as they are, and the service's errors (a body too large, a store that is
 * down) translated code by code, so an OAuth client never sees the `/auth/*` shape.
 */
import { AppError, type ErrorCode } from '../core/errors';
import type { Logger } from '../core/logger';
import { OAuthError, type OAuthErrorCode } from '../core/oauth-errors';
import type { HttpResponse } from './http';

/** The OAuth code for each service code; a closed table, so a new service code must choose one. */
const OAUTH_CODE_OF: Readonly<Record<ErrorCode, OAuthErrorCode>> = {
  invalid_request: 'invalid_request',
  csrf_rejected: 'invalid_request',
  not_found: 'invalid_request',
  email_taken: 'invalid_request',
  payload_too_large: 'invalid_request',
  unsupported_media_type: 'invalid_request',
  mfa_already_enabled: 'invalid_request',
  too_many_attempts: 'invalid_request',
  invalid_credentials: 'invalid_grant',
  invalid_refresh_token: 'invalid_grant',
  invalid_one_time_token: 'invalid_grant',
  invalid_mfa_code: 'invalid_grant',
  invalid_mfa_token: 'invalid_grant',
  invalid_passkey: 'invalid_grant',
  mfa_required: 'interaction_required',
  reauthentication_required: 'login_required',
  email_not_verified: 'access_denied',
  // RFC 6749 5.2: the grant's owner may no longer use it.
  account_disabled: 'invalid_grant',
  access_denied: 'access_denied',
  mfa_required_for_admin: 'access_denied',
  cannot_modify_self: 'invalid_request',
  invalid_token: 'invalid_token',
  service_unavailable: 'temporarily_unavailable',
  internal_error: 'server_error',
};

/** The OAuth body; no-store is already on every response (toApiGatewayResult), as RFC 6749 §5.1 asks. */
export const oauthError = (status: number, code: OAuthErrorCode, description: string, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body: { error: code, error_description: description },
  headers: { Pragma: 'no-cache', ...headers },
});

/** Error mapper for OAuth endpoints (token, revoke, introspect, userinfo). */
export function oauthErrors(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof OAuthError) {
    if (error.status >= 500) logger.error('request failed', { code: error.code, error });
    return oauthError(error.status, error.code, error.description, error.headers);
  }
  if (error instanceof AppError) {
    if (error.status >= 500) logger.error('request failed', { code: error.code, error });
    // The service error keeps its status and headers (413, 429 with Retry-After, 503 with Retry-After);
    // mfa_required's extra members (an MFA token) are not for an OAuth client.
    return oauthError(error.status, OAUTH_CODE_OF[error.code], error.message, error.headers);
  }
  logger.error('unexpected error', { error });
  return oauthError(500, 'server_error', 'Something went wrong on our side.');
}
