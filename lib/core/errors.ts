/** Error codes of the HTTP contract; clients switch on them. */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_refresh_token'
  | 'csrf_rejected'
  | 'not_found'
  | 'email_taken'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_attempts'
  | 'service_unavailable'
  | 'internal_error'
  | 'invalid_one_time_token'
  | 'invalid_mfa_code'
  | 'invalid_mfa_token'
  | 'invalid_passkey'
  | 'mfa_required'
  | 'email_not_verified'
  | 'mfa_already_enabled'
  | 'reauthentication_required'
  | 'invalid_token'
  | 'account_disabled'
  | 'access_denied'
  | 'mfa_required_for_admin'
  | 'cannot_modify_self';

/** Base of every error that maps to a contract response. */
export abstract class AppError extends Error {
  override get name(): string {
    return this.constructor.name;
  }
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  /** Extra response headers (Retry-After, Set-Cookie to clear a cookie...). */
  readonly headers: Record<string, string> = {};
  /** Extra members of the error body beside `error` and `message` (mfa_required's mfa_token). */
  readonly extraBody: Record<string, unknown> = {};
}

export class InvalidRequestError extends AppError {
  readonly code = 'invalid_request';
  readonly status = 400;
}

export class InvalidCredentialsError extends AppError {
  readonly code = 'invalid_credentials';
  readonly status = 401;
  constructor() {
    super('The email or password is incorrect.');
  }
}

export class InvalidRefreshTokenError extends AppError {
  readonly code = 'invalid_refresh_token';
  readonly status = 401;
  constructor() {
    super('The refresh token is invalid, expired or revoked.');
  }
}

export class CsrfRejectedError extends AppError {
  readonly code = 'csrf_rejected';
  readonly status = 403;
  constructor() {
    super('A cookie-borne request must come from an allowed origin.');
  }
}

export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly status = 404;
  constructor(what = 'The resource') {
    super(`${what} was not found.`);
  }
}

export class EmailTakenError extends AppError {
  readonly code = 'email_taken';
  readonly status = 409;
  constructor() {
    super('An account with this email already exists.');
  }
}

export class PayloadTooLargeError extends AppError {
  readonly code = 'payload_too_large';
  readonly status = 413;
  constructor(limitBytes: number) {
    super(`The request body must be at most ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'unsupported_media_type';
  readonly status = 415;
  constructor(message = 'The request body must be JSON (Content-Type: application/json).') {
    super(message);
  }
}

export class TooManyAttemptsError extends AppError {
  readonly code = 'too_many_attempts';
  readonly status = 429;
  constructor(readonly retryAfterSeconds: number, message = 'Too many failed logins for this account; try again later.') {
    super(message);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/**
 * How soon a client may retry after a 503. Short on purpose: a refresh whose rotation did land
 * before its answer was lost is retried with the same token, and that retry gets the same
 * successor only within the refresh grace window (10 s by default).
 */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

export class ServiceUnavailableError extends AppError {
  readonly code = 'service_unavailable';
  readonly status = 503;
  constructor(options?: { cause?: unknown }) {
    super('The service is temporarily unavailable; try again shortly.', options);
    this.headers['Retry-After'] = String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS);
  }
}

export class EmailNotVerifiedError extends AppError {
  readonly code = 'email_not_verified';
  readonly status = 403;
  constructor(message = 'Verify your email address before logging in.') {
    super(message);
  }
}

export class InvalidOneTimeTokenError extends AppError {
  readonly code = 'invalid_one_time_token';
  readonly status = 400;
  constructor() {
    super('The link is invalid, expired, already used or replaced by a newer one.');
  }
}

export class InvalidMfaCodeError extends AppError {
  readonly code = 'invalid_mfa_code';
  readonly status = 401;
  constructor() {
    super('The code is wrong, already used or out of date.');
  }
}

export class InvalidMfaTokenError extends AppError {
  readonly code = 'invalid_mfa_token';
  readonly status = 401;
  constructor() {
    super('The login must start again: the MFA token is unknown, expired or used up.');
  }
}

export class InvalidPasskeyError extends AppError {
  readonly code = 'invalid_passkey';
  readonly status = 401;
  constructor(options?: { cause?: unknown }) {
    super('The passkey could not be verified.', options);
  }
}

/** A right password on an account with a second factor: nothing is issued until /auth/mfa/verify. */
export class MfaRequiredError extends AppError {
  readonly code = 'mfa_required';
  readonly status = 403;
  constructor(mfaToken: string, expiresInSeconds: number) {
    super('A second factor is required to finish this login.');
    this.extraBody.mfa_token = mfaToken;
    this.extraBody.expires_in = expiresInSeconds;
  }
}

export class MfaAlreadyEnabledError extends AppError {
  readonly code = 'mfa_already_enabled';
  readonly status = 409;
  constructor() {
    super('Two-step verification is already on for this account.');
  }
}

/** A sensitive change whose sign-in is not recent enough (or did not use a second factor where one is due). */
export class ReauthenticationRequiredError extends AppError {
  readonly code = 'reauthentication_required';
  readonly status = 403;
  constructor(message = 'Sign in again (POST /auth/reauthenticate) before making this change.') {
    super(message);
  }
}

/** A valid access token whose session has ended (logout, revocation) where the handler itself needs the session. */
export class InvalidTokenError extends AppError {
  readonly code = 'invalid_token';
  readonly status = 401;
  constructor() {
    super('The access token is no longer valid: its session has ended.');
    this.headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  }
}

/**
 * The account is disabled (by an admin). Login and passkey login say so only after the password or
 * passkey was checked, so the answer tells nothing to someone without the credential.
 */
export class AccountDisabledError extends AppError {
  readonly code = 'account_disabled';
  readonly status = 403;
  constructor() {
    super('This account is disabled.');
  }
}

/**
 * The token's scope lacks the permission the route needs (the authorizer refuses it first where it
 * enforces permissions; the admin handlers check again). RFC 6750 3.1: insufficient_scope, naming it.
 */
export class AccessDeniedError extends AppError {
  readonly code = 'access_denied';
  readonly status = 403;
  constructor(permission: string) {
    super('The access token does not grant the permission this request needs.');
    this.headers['WWW-Authenticate'] = `Bearer error="insufficient_scope", scope="${permission}"`;
  }
}

/** An admin path with a token whose sign-in used no second factor (ADMIN_REQUIRE_MFA); RFC 9470's step-up error. */
export class MfaRequiredForAdminError extends AppError {
  readonly code = 'mfa_required_for_admin';
  readonly status = 403;
  constructor() {
    super('The admin API needs a sign-in with a second factor: sign in again with TOTP or a passkey.');
    this.headers['WWW-Authenticate'] = 'Bearer error="insufficient_user_authentication"';
  }
}

/** An admin disabling, deleting or taking `admin` from their own account: a stage is never left without an admin by accident. */
export class CannotModifySelfError extends AppError {
  readonly code = 'cannot_modify_self';
  readonly status = 409;
  constructor(what: string) {
    super(`An admin cannot ${what} their own account.`);
  }
}

/** Configuration that is missing or invalid; thrown at cold start, never mapped to a response body. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}
