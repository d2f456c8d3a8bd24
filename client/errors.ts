/** Error codes of the service's HTTP contract (`{ "error": code }` bodies). */
export type ServiceErrorCode =
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
  'not_found',
  'email_taken',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_attempts',
  'service_unavailable',
  'internal_error',
]);

/** Every failure of the client: switch on `code`; `status` is the HTTP status, 0 when there was no answer. */
export class AuthError extends Error {
  readonly name = 'AuthError';
  /** From `Retry-After` (429 too_many_attempts, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly status = 0,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The error a non-2xx response stands for: the contract's code when the body has one. */
export async function errorFromResponse(response: Response): Promise<AuthError> {
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
  const options = Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {};
  if (typeof fields.error === 'string' && SERVICE_ERROR_CODES.has(fields.error)) {
    return new AuthError(fields.error as ServiceErrorCode, message, response.status, options);
  }
  const code: ClientErrorCode = response.status === 401 ? 'unauthorized' : response.status === 403 ? 'forbidden' : 'unexpected_response';
  return new AuthError(code, message, response.status, options);
}
