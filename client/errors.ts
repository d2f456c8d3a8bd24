/** A login that needs a second factor (`403 mfa_required`): answer it with `verifyMfa` before it expires. */
export interface MfaChallenge {
  /** Opaque and single-use; never log it. */
  readonly mfaToken: string;
  readonly expiresIn: number;
  /** Epoch ms, client clock. */
  readonly expiresAt: number;
}

/** Error codes of the service's HTTP contract (`{ "error": code }` bodies). */
export type ServiceErrorCode =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_refresh_token'
  | 'csrf_rejected'
  | 'invalid_one_time_token'
  | 'invalid_mfa_code'
  | 'invalid_mfa_token'
  | 'invalid_passkey'
  | 'mfa_required'
  | 'email_not_verified'
  | 'mfa_already_enabled'
  | 'reauthentication_required'
  | 'too_many_requests'
  | 'not_found'
  | 'email_taken'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_attempts'
  | 'account_disabled'
  | 'access_denied'
  | 'mfa_required_for_admin'
  | 'cannot_modify_self'
  | 'service_unavailable'
  | 'internal_error';

/**
 * Codes for failures that have no contract body: API Gateway's own 401/403 (the authorizer
 * refused the access token), no session in the client, a network failure, an answer that is
 * not what the contract promises.
 */
export type ClientErrorCode = 'unauthorized' | 'forbidden' | 'not_authenticated' | 'network_error' | 'unexpected_response';

export type AuthErrorCode = ServiceErrorCode | ClientErrorCode;

const SERVICE_ERROR_CODES: ReadonlySet<string> = new Set<ServiceErrorCode>([
  'invalid_request',
  'invalid_credentials',
  'invalid_refresh_token',
  'csrf_rejected',
  'invalid_one_time_token',
  'invalid_mfa_code',
  'invalid_mfa_token',
  'invalid_passkey',
  'mfa_required',
  'email_not_verified',
  'mfa_already_enabled',
  'reauthentication_required',
  'too_many_requests',
  'not_found',
  'email_taken',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_attempts',
  'account_disabled',
  'access_denied',
  'mfa_required_for_admin',
  'cannot_modify_self',
  'service_unavailable',
  'internal_error',
]);

/** Whether `code` is one of the contract's error codes (not API Gateway's nor the client's own). */
export const isServiceErrorCode = (code: unknown): code is ServiceErrorCode => typeof code === 'string' && SERVICE_ERROR_CODES.has(code);

/**
 * Whether a 401 refused the access token (the authorizer: API Gateway's `invalid_token` or
 * serverless-offline's own body) rather than something the handler checked, such as a wrong
 * current password (`invalid_credentials`) or TOTP code (`invalid_mfa_code`), which a refresh
 * would not change and a retry would count twice.
 */
export async function refusedAccessToken(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  try {
    const body: unknown = JSON.parse(await response.clone().text());
    return !isServiceErrorCode((body as { error?: unknown } | null)?.error);
  } catch {
    return true;
  }
}

/** Every failure of the client: switch on `code`; `status` is the HTTP status, 0 when there was no answer. */
export class AuthError extends Error {
  readonly name = 'AuthError';
  /** From `Retry-After` (429 too_many_attempts, 503). */
  readonly retryAfterSeconds: number | undefined;
  /** With `mfa_required` (from `login` without an MFA prompt): answer it with `verifyMfa`. */
  readonly mfaChallenge: MfaChallenge | undefined;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly status = 0,
    options: { cause?: unknown; retryAfterSeconds?: number; mfaChallenge?: MfaChallenge } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.mfaChallenge = options.mfaChallenge;
  }
}

/**
 * The error a non-2xx response stands for: the contract's code when the body has one. `sentAt`
 * (client clock) dates an MFA challenge's expiry.
 */
export async function errorFromResponse(response: Response, sentAt = Date.now()): Promise<AuthError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof fields.message === 'string' && fields.message ? fields.message : `${response.status} ${response.statusText}`.trim();
  const retryAfter = Number(response.headers.get('retry-after'));
  const options = {
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    ...(fields.error === 'mfa_required' && typeof fields.mfa_token === 'string' && typeof fields.expires_in === 'number'
      ? { mfaChallenge: { mfaToken: fields.mfa_token, expiresIn: fields.expires_in, expiresAt: sentAt + fields.expires_in * 1000 } }
      : {}),
  };
  if (isServiceErrorCode(fields.error)) {
    return new AuthError(fields.error, message, response.status, options);
  }
  const code: ClientErrorCode = response.status === 401 ? 'unauthorized' : response.status === 403 ? 'forbidden' : 'unexpected_response';
  return new AuthError(code, message, response.status, options);
}
