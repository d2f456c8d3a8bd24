/**
 * Why an access token was refused: a closed union, so callers (logs, metrics) switch on it. Apart
 * from the verifier so the claim schema (session-claims.ts) can refuse a claim without importing
 * the verifier; both are bundled into the authorizer, so this file imports nothing.
 */
export const ACCESS_TOKEN_REJECTIONS = [
  /** Not three canonical base64url segments, too long, or a header or payload that is not a JSON object. */
  'malformed',
  /** A header member we never honour: jwk, jku, x5u, x5c, x5t, x5t#S256, crit, b64, zip, enc. */
  'unsupported_header',
  /** alg missing or not the configured algorithm. */
  'alg_not_allowed',
  /** typ is not at+jwt (RFC 9068). */
  'invalid_typ',
  /** No kid, or a kid that names no configured key. */
  'unknown_kid',
  'invalid_signature',
  /** A required claim missing, or a claim of the wrong type or shape. */
  'invalid_claim',
  'invalid_issuer',
  'invalid_audience',
  /** exp is not in the future (beyond the clock skew). */
  'expired',
  /** nbf or iat in the future (beyond the clock skew). */
  'not_yet_valid',
  /** iat older than the access-token lifetime (plus skew), whatever exp says. */
  'too_old',
] as const;

export type AccessTokenRejection = (typeof ACCESS_TOKEN_REJECTIONS)[number];

/** Raised for every refused token; the code is safe to log, the token never is. */
export class AccessTokenRejectedError extends Error {
  override readonly name = 'AccessTokenRejectedError';
  constructor(readonly code: AccessTokenRejection) {
    super(`access token rejected: ${code}`);
  }
}
