import { createHmac, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { JwtAlgorithm } from '../core/config';
import { AccessTokenRejectedError } from './access-token-rejection';
import { readSessionClaims, type SessionClaims } from './session-claims';

/**
 * The access-token verifier: synchronous node:crypto with KeyObjects imported once (lib/tokens/keys.ts).
 * jose goes through WebCrypto, and every WebCrypto call in Node hops to a worker thread; that hop,
 * not the cryptography, is most of its cost per token, so jose stays out of this path.
 *
 * Built of named steps, in this order: decompose (strict compact form, header JSON) → check the
 * header (no key-bearing or extension members, the configured alg, typ at+jwt) → look up the key
 * by kid → verify the signature → parse the claims → check the claims → the principal.
 * Every refusal is an AccessTokenRejectedError with one code of a closed union.
 * test/unit/verifier-differential.test.ts holds its decisions to those of a jose-based oracle.
 * It imports nothing but node:crypto and types: the authorizer bundles it, and must not bundle jose.
 */

/** The JWS typ of access tokens (RFC 9068). */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export { ACCESS_TOKEN_REJECTIONS, AccessTokenRejectedError, type AccessTokenRejection } from './access-token-rejection';
export { MAX_AMR_VALUES } from './session-claims';

/**
 * The caller an access token speaks for, once every check has passed: the token's own claims and
 * the session's claims (session-claims.ts; absent ones as that schema says, e.g. amr [] and
 * authTime undefined for a token issued before tokens carried them).
 */
export type AccessTokenPrincipal = SessionClaims & {
  readonly sub: string;
  readonly sid: string;
  readonly jti: string;
  readonly exp: number;
};

/** Verifies a compact JWS access token: the principal, or AccessTokenRejectedError. */
export type AccessTokenVerifier = (token: string) => AccessTokenPrincipal;

export interface AccessTokenVerifierOptions {
  readonly algorithm: JwtAlgorithm;
  /** Verification keys by kid, already checked against the algorithm (importVerificationKeys). */
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly issuer: string;
  readonly audience: string;
  /** The access-token lifetime: a token whose iat is older is refused whatever its exp. */
  readonly maxTokenAgeSeconds: number;
  readonly clockSkewSeconds: number;
  readonly clock: Clock;
}

export const MAX_TOKEN_LENGTH = 8192;

// Members that carry or point at keys, or change how the payload is read: we honour none.
const UNSUPPORTED_HEADER_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64', 'zip', 'enc'];
// typ is a media type: compared without regard to case, with or without "application/" (RFC 7515 4.1.9).
const ACCEPTED_TYPES = new Set([ACCESS_TOKEN_TYPE, `application/${ACCESS_TOKEN_TYPE}`]);
// Every token of one key has the same header segment; see createAccessTokenVerifier.
const MAX_REMEMBERED_HEADERS = 16;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const REPLACEMENT_CHARACTER = '\uFFFD';
const BYTE_ORDER_MARK = 0xfeff;

type Claims = Readonly<Record<string, unknown>>;

/** Builds the verifier once, outside the handler; the options are checked here, not per token. */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const { algorithm, keys, issuer, audience, maxTokenAgeSeconds, clockSkewSeconds, clock } = options;
  if (!Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) throw new RangeError('clockSkewSeconds must be a finite number >= 0');
  if (!Number.isFinite(maxTokenAgeSeconds) || maxTokenAgeSeconds <= 0) throw new RangeError('maxTokenAgeSeconds must be a finite number > 0');
  if (keys.size === 0) throw new RangeError('at least one verification key is needed');
  const signatureIsValid = SIGNATURE_CHECKS[algorithm];
  // Header segments of tokens that passed every check, with their key: a later token with the
  // same header skips decoding and checking it again. Only a verified token adds one, so forged
  // headers cannot fill it.
  const verifiedHeaders = new Map<string, KeyObject>();

  const keyFor = (header: Claims): KeyObject => {
    checkHeader(header, algorithm);
    const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
    if (!key) throw new AccessTokenRejectedError('unknown_kid');
    return key;
  };

  return (token) => {
    const { first, last } = dotsOf(token);
    const headerSegment = token.slice(0, first);
    const known = verifiedHeaders.get(headerSegment);
    // A remembered header passed the round trip already; every segment is checked before any is read.
    const header = known ? undefined : canonicalBytes(headerSegment);
    const payload = canonicalBytes(token.slice(first + 1, last));
    const signature = canonicalBytes(token.slice(last + 1));
    const key = known ?? keyFor(parseJsonObject(header!));
    if (!signatureIsValid(key, token.slice(0, last), signature)) throw new AccessTokenRejectedError('invalid_signature');
    const claims = parseJsonObject(payload);
    const now = Math.floor(clock.now() / 1000);
    // A broken clock must not disable every time check (NaN compares false).
    if (!Number.isFinite(now)) throw new RangeError('clock.now() is not a finite number');
    const principal = checkClaims(claims, { issuer, audience, maxTokenAgeSeconds, clockSkewSeconds, now });
    if (!known && verifiedHeaders.size < MAX_REMEMBERED_HEADERS) verifiedHeaders.set(headerSegment, key);
    return principal;
  };
}

interface CompactParts {
  readonly headerSegment: string;
  readonly payloadSegment: string;
  readonly signatureSegment: string;
  readonly signingInput: string;
}

/** Step 1: three canonical base64url segments, no padding or white space; one string per token. */
export function decompose(token: string): CompactParts {
  const { first, last } = dotsOf(token);
  const segments = [token.slice(0, first), token.slice(first + 1, last), token.slice(last + 1)] as const;
  for (const segment of segments) canonicalBytes(segment);
  return { headerSegment: segments[0], payloadSegment: segments[1], signatureSegment: segments[2], signingInput: token.slice(0, last) };
}

/** The first and last dot of a string of bounded length with three non-empty dot-separated parts. */
function dotsOf(token: string): { first: number; last: number } {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new AccessTokenRejectedError('malformed');
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  // A further dot lies inside the payload segment, whose round trip then fails.
  if (first < 1 || last - first < 2 || last === token.length - 1) throw new AccessTokenRejectedError('malformed');
  return { first, last };
}

/**
 * A segment's bytes, if it is canonical base64url: only the alphabet, no padding, no white space,
 * and unused trailing bits zero (decoders accept them set, so several strings would decode to one
 * signature). Exactly the strings a decode and re-encode round trip gives back; the decode is needed
 * anyway, and the round trip is cheaper than a regular expression over the whole token.
 */
function canonicalBytes(segment: string): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw new AccessTokenRejectedError('malformed');
  return bytes;
}

/**
 * A segment's JSON object, decoded as strict UTF-8 (a leading BOM is dropped). The lenient decoder
 * is much faster than the fatal TextDecoder; text it had to repair (U+FFFD) or that starts with a BOM
 * is decoded again strictly, which refuses or strips exactly as before.
 */
function parseJsonObject(bytes: Buffer): Claims {
  let value: unknown;
  try {
    let text = bytes.toString('utf8');
    if (text.charCodeAt(0) === BYTE_ORDER_MARK || text.includes(REPLACEMENT_CHARACTER)) text = strictUtf8.decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw new AccessTokenRejectedError('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AccessTokenRejectedError('malformed');
  return value as Claims;
}

/** Step 2: nothing we do not honour, the configured alg, typ at+jwt. */
function checkHeader(header: Claims, algorithm: JwtAlgorithm): void {
  for (const member of UNSUPPORTED_HEADER_MEMBERS) if (Object.hasOwn(header, member)) throw new AccessTokenRejectedError('unsupported_header');
  if (header.alg !== algorithm) throw new AccessTokenRejectedError('alg_not_allowed');
  if (typeof header.typ !== 'string' || !ACCEPTED_TYPES.has(header.typ.toLowerCase())) throw new AccessTokenRejectedError('invalid_typ');
}

interface ClaimPolicy {
  readonly issuer: string;
  readonly audience: string;
  readonly maxTokenAgeSeconds: number;
  readonly clockSkewSeconds: number;
  /** Whole seconds since the epoch. */
  readonly now: number;
}

/** Step 5: presence and types (the session's claims by their schema), iss, aud, then time; `exp == now` is expired. */
function checkClaims(claims: Claims, policy: ClaimPolicy): AccessTokenPrincipal {
  const sub = nonEmptyString(claims.sub);
  const sid = nonEmptyString(claims.sid);
  const jti = nonEmptyString(claims.jti);
  const exp = numericDate(claims.exp);
  // The session's claims, by their schema, straight into the principal.
  const principal = readSessionClaims(claims, { sub, sid, jti, exp });
  const iat = numericDate(claims.iat);
  const nbf = claims.nbf === undefined ? undefined : numericDate(claims.nbf);
  if (typeof claims.iss !== 'string' || claims.iss !== policy.issuer) throw new AccessTokenRejectedError('invalid_issuer');
  if (!isAudienceOf(claims.aud, policy.audience)) throw new AccessTokenRejectedError('invalid_audience');
  const { now, clockSkewSeconds: skew } = policy;
  if (exp <= now - skew) throw new AccessTokenRejectedError('expired');
  if (iat > now + skew || (nbf !== undefined && nbf > now + skew)) throw new AccessTokenRejectedError('not_yet_valid');
  if (now - iat - skew > policy.maxTokenAgeSeconds) throw new AccessTokenRejectedError('too_old');
  return principal;
}

function nonEmptyString(value: unknown): string {
  if (typeof value !== 'string' || !value) throw new AccessTokenRejectedError('invalid_claim');
  return value;
}

function numericDate(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new AccessTokenRejectedError('invalid_claim');
  return value;
}

/** aud is ours, or an array of strings that holds ours (RFC 7519 4.1.3). */
function isAudienceOf(aud: unknown, audience: string): boolean {
  if (typeof aud === 'string') return aud === audience;
  return Array.isArray(aud) && aud.length > 0 && aud.every((entry) => typeof entry === 'string') && aud.includes(audience);
}

type SignatureCheck = (key: KeyObject, signingInput: string, signature: Buffer) => boolean;

// The signing input is ASCII (decompose), so its latin1 encoding is its exact bytes.
const SIGNATURE_CHECKS: Record<JwtAlgorithm, SignatureCheck> = {
  // JWS carries r||s (IEEE P1363), exactly 64 bytes for P-256.
  ES256: (key, input, signature) => signature.length === 64 && asymmetricVerify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature),
  EdDSA: (key, input, signature) => signature.length === 64 && asymmetricVerify(null, input, key, signature),
  // RSASSA-PKCS1-v1_5 is node:crypto's default padding for an RSA key.
  RS256: (key, input, signature) => asymmetricVerify('sha256', input, key, signature),
  HS256: (key, input, signature) => {
    const expected = createHmac('sha256', key).update(input, 'latin1').digest();
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  },
};

// OpenSSL throws on some malformed signatures instead of returning false; both mean "not valid".
function asymmetricVerify(digest: string | null, input: string, key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' }, signature: Buffer): boolean {
  try {
    return verifySignature(digest, Buffer.from(input, 'latin1'), key, signature);
  } catch {
    return false;
  }
}
