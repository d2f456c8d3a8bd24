import { createHash, createHmac, createPublicKey, createSecretKey, KeyObject, timingSafeEqual, verify as verifySignature, type JsonWebKey, type VerifyKeyObjectInput, type webcrypto } from 'node:crypto';
import { ACCESS_TOKEN_TYPE } from './access-token-issuer';
import {
  AccessTokenRejectedError,
  checkCompactForm,
  REQUIRED_CLAIMS,
  toPrincipal,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from './reference-verifier';
import type { Jwk, JwtAlgorithm, TokenConfig } from '../core/config';
import { publicMembersOf } from './jwk';

/**
 * The authorizer's verifier: the same checks as `createAccessTokenVerifier` (jose's `jwtVerify`
 * with every option set, which stays the reference), done synchronously with node:crypto and
 * pre-imported KeyObjects. jose goes through WebCrypto, and every WebCrypto call in Node hops to
 * a worker thread; that hop, not the cryptography, is most of jose's cost per token.
 * test/unit/verifier-differential.test.ts holds the two to the same decisions.
 */

/** Every key that may verify a live access token, by kid, as node:crypto KeyObjects. */
export interface VerificationKeyObjectSet {
  readonly algorithm: JwtAlgorithm;
  readonly keys: ReadonlyMap<string, KeyObject>;
}

export interface FastAccessTokenVerifierOptions extends Omit<AccessTokenVerifierOptions, 'keySet'> {
  /** KeyObjects (importVerificationKeyObjects), or the CryptoKeys of importVerificationKeys. */
  readonly keySet: { readonly algorithm: JwtAlgorithm; readonly keys: ReadonlyMap<string, KeyObject | webcrypto.CryptoKey> };
}

// jose's error codes, so a refusal logs the same reason on either path.
const JWS_INVALID = 'ERR_JWS_INVALID';
const ALG_NOT_ALLOWED = 'ERR_JOSE_ALG_NOT_ALLOWED';
const SIGNATURE_FAILED = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
const JWT_INVALID = 'ERR_JWT_INVALID';
const CLAIM_INVALID = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const EXPIRED = 'ERR_JWT_EXPIRED';

const MIN_RSA_BITS = 2048;
const MAX_REMEMBERED_HEADERS = 16;
const MIN_HMAC_BYTES = 32;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// jose compares typ after lower-casing and adding the `application/` prefix a bare type omits.
const normalizeTyp = (value: string): string => {
  const lower = value.toLowerCase();
  return value.includes('/') ? lower : `application/${lower}`;
};
const EXPECTED_TYP = normalizeTyp(ACCESS_TOKEN_TYPE);
// jose checks presence in this order: iss, aud, iat (maxTokenAge), then requiredClaims reversed.
const PRESENCE_CHECK = [...new Set(['iss', 'aud', 'iat', ...[...REQUIRED_CLAIMS].reverse()])];

/** A verifier with the decisions of createAccessTokenVerifier, at the speed of node:crypto. */
export function createFastAccessTokenVerifier(options: FastAccessTokenVerifierOptions): AccessTokenVerifier {
  const { issuer, audience, maxTokenAgeSeconds, clockSkewSeconds, clock } = options;
  const { algorithm } = options.keySet;
  const keys = new Map<string, KeyObject>();
  for (const [kid, key] of options.keySet.keys) {
    const keyObject = key instanceof KeyObject ? key : KeyObject.from(key);
    checkKeyObject(keyObject, algorithm, kid);
    keys.set(kid, keyObject);
  }
  if (!Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) throw new TypeError('clockSkewSeconds must be a finite number >= 0');
  if (!Number.isFinite(maxTokenAgeSeconds) || maxTokenAgeSeconds < 0) throw new TypeError('maxTokenAgeSeconds must be a finite number >= 0');
  const signatureIsValid = signatureCheckFor(algorithm);
  const tolerance = clockSkewSeconds;
  // Every token of one key has the same header segment; remembering the few that came with a
  // verified token saves a base64url decode and a JSON.parse per token. Only a token that passed
  // every check adds one, so forged headers cannot fill it.
  const verifiedHeaders = new Map<string, Readonly<Record<string, unknown>>>();

  const verifySync = (token: string) => {
    const header = checkCompactForm(token, verifiedHeaders);
    const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
    if (!key) throw new AccessTokenRejectedError('unknown kid');
    if (typeof header.alg !== 'string' || !header.alg) throw new AccessTokenRejectedError(JWS_INVALID);
    if (header.alg !== algorithm) throw new AccessTokenRejectedError(ALG_NOT_ALLOWED);

    const first = token.indexOf('.');
    const last = token.lastIndexOf('.');
    const signingInput = token.slice(0, last);
    const signature = Buffer.from(token.slice(last + 1), 'base64url');
    if (!signatureIsValid(key, signingInput, signature)) throw new AccessTokenRejectedError(SIGNATURE_FAILED);

    let claims: unknown;
    try {
      claims = JSON.parse(strictUtf8.decode(Buffer.from(token.slice(first + 1, last), 'base64url')));
    } catch (cause) {
      throw new AccessTokenRejectedError(JWT_INVALID, { cause });
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new AccessTokenRejectedError(JWT_INVALID);
    const claimsSet = claims as Record<string, unknown>;

    // From here on, the order and the arithmetic are those of jose's validateClaimsSet.
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== EXPECTED_TYP) throw new AccessTokenRejectedError(CLAIM_INVALID);
    for (const claim of PRESENCE_CHECK) if (!Object.hasOwn(claimsSet, claim)) throw new AccessTokenRejectedError(CLAIM_INVALID);
    if (claimsSet.iss !== issuer) throw new AccessTokenRejectedError(CLAIM_INVALID);
    const aud = claimsSet.aud;
    if (!(typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience))) {
      throw new AccessTokenRejectedError(CLAIM_INVALID);
    }
    const now = Math.floor(new Date(clock.now()).getTime() / 1000);
    if (!Number.isFinite(now)) throw new AccessTokenRejectedError('TypeError'); // jose: "Invalid currentDate option input"
    const iat = numericDate(claimsSet, 'iat');
    const nbf = numericDate(claimsSet, 'nbf');
    if (nbf !== undefined && nbf > now + tolerance) throw new AccessTokenRejectedError(CLAIM_INVALID);
    const exp = numericDate(claimsSet, 'exp');
    if (exp !== undefined && exp <= now - tolerance) throw new AccessTokenRejectedError(EXPIRED);
    const age = now - iat!;
    if (age - tolerance > maxTokenAgeSeconds) throw new AccessTokenRejectedError(EXPIRED);
    if (age < -tolerance) throw new AccessTokenRejectedError(CLAIM_INVALID);
    const principal = toPrincipal(claimsSet);
    if (verifiedHeaders.size < MAX_REMEMBERED_HEADERS) verifiedHeaders.set(token.slice(0, first), Object.freeze(header));
    return principal;
  };
  return async (token) => verifySync(token);
}

/** Imports the configured JWKs once, with the kids that importVerificationKeys gives them. */
export function importVerificationKeyObjects(config: TokenConfig): VerificationKeyObjectSet {
  const jwks = [...(config.privateJwk ? [config.privateJwk] : []), ...config.extraVerificationJwks];
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks) {
    const kid = keyIdOfSync(jwk);
    if (keys.has(kid)) continue;
    const key =
      config.algorithm === 'HS256'
        ? createSecretKey(Buffer.from(String(jwk.k), 'base64url'))
        : createPublicKey({ key: publicMembersOf(jwk) as JsonWebKey, format: 'jwk' });
    checkKeyObject(key, config.algorithm, kid);
    keys.set(kid, key);
  }
  return { algorithm: config.algorithm, keys };
}

/** lib/keys.ts keyIdOf without jose: the JWK's kid, else its RFC 7638 SHA-256 thumbprint. */
export function keyIdOfSync(jwk: Jwk): string {
  if (typeof jwk.kid === 'string' && jwk.kid) return jwk.kid;
  const member = (name: string) => {
    const value = jwk[name];
    if (typeof value !== 'string' || (!value && name !== 'k')) throw new TypeError(`JWK member "${name}" is missing or invalid`);
    return value;
  };
  // RFC 7638: the required members only, in lexicographic order, no white space.
  let required: Record<string, string>;
  switch (jwk.kty) {
    case 'EC':
      required = { crv: member('crv'), kty: jwk.kty, x: member('x'), y: member('y') };
      break;
    case 'OKP':
      required = { crv: member('crv'), kty: jwk.kty, x: member('x') };
      break;
    case 'RSA':
      required = { e: member('e'), kty: jwk.kty, n: member('n') };
      break;
    case 'oct':
      required = { k: member('k'), kty: jwk.kty };
      break;
    default:
      throw new TypeError('JWK "kty" is missing or unsupported');
  }
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}

/** A key that does not fit the algorithm is a configuration error, found at cold start. */
function checkKeyObject(key: KeyObject, algorithm: JwtAlgorithm, kid: string): void {
  const fits =
    algorithm === 'HS256'
      ? key.type === 'secret' && (key.symmetricKeySize ?? 0) >= MIN_HMAC_BYTES
      : key.type === 'public' &&
        (algorithm === 'ES256'
          ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
          : algorithm === 'EdDSA'
            ? key.asymmetricKeyType === 'ed25519'
            : key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS);
  if (!fits) {
    const need = { ES256: 'a P-256 public key', EdDSA: 'an Ed25519 public key', RS256: `an RSA public key of at least ${MIN_RSA_BITS} bits`, HS256: `a secret of at least ${MIN_HMAC_BYTES} bytes` };
    throw new TypeError(`verification key "${kid}" is not ${need[algorithm]} (${algorithm})`);
  }
}

type VerifyKeyWithOptions = VerifyKeyObjectInput & { dsaEncoding: 'ieee-p1363' };
// The signing input is ASCII (checkCompactForm), so its latin1 encoding is its exact bytes.
type SignatureCheck = (key: KeyObject, input: string, signature: Buffer) => boolean;

function signatureCheckFor(algorithm: JwtAlgorithm): SignatureCheck {
  switch (algorithm) {
    case 'ES256':
      // JWS carries r||s (IEEE P1363), exactly 64 bytes for P-256.
      return (key, input, signature) => signature.length === 64 && asymmetricVerify('sha256', Buffer.from(input, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return (key, input, signature) => signature.length === 64 && asymmetricVerify(null, Buffer.from(input, 'latin1'), key, signature);
    case 'RS256':
      // RSASSA-PKCS1-v1_5 is node:crypto's default padding for an RSA key.
      return (key, input, signature) => asymmetricVerify('sha256', Buffer.from(input, 'latin1'), key, signature);
    case 'HS256':
      return (key, input, signature) => {
        const expected = createHmac('sha256', key).update(input, 'latin1').digest();
        return signature.length === expected.length && timingSafeEqual(signature, expected);
      };
  }
}

// OpenSSL throws on some malformed signatures instead of returning false; both mean "not valid".
function asymmetricVerify(digest: string | null, input: Buffer, key: KeyObject | VerifyKeyWithOptions, signature: Buffer): boolean {
  try {
    return verifySignature(digest, input, key, signature);
  } catch {
    return false;
  }
}

function numericDate(claimsSet: Record<string, unknown>, claim: string): number | undefined {
  const value = claimsSet[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new AccessTokenRejectedError(CLAIM_INVALID);
  return value;
}
