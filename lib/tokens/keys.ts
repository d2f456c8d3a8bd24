import { createHash, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject, type webcrypto } from 'node:crypto';
import type { Jwk, JwtAlgorithm, TokenConfig } from '../core/config';

/**
 * The one home of key handling: key ids, the signing key, the verification keys and the JWKS.
 *
 * Free of jose on purpose: the authorizer imports this module and must bundle nothing but
 * node:crypto. Verification keys are node:crypto KeyObjects, checked against the algorithm once at
 * cold start; the signing key is a WebCrypto CryptoKey, which is what the issuer's jose wants.
 */

/** The key that signs access tokens, imported once at cold start. */
export interface SigningKey {
  readonly kid: string;
  readonly algorithm: JwtAlgorithm;
  readonly key: webcrypto.CryptoKey;
}

/** What the JWKS endpoint publishes for one key: public members only. */
export interface PublicJwk extends Jwk {
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
}

/** Every key that may verify a live access token, by kid, and their public JWKs. */
export interface VerificationKeySet {
  readonly algorithm: JwtAlgorithm;
  readonly keys: ReadonlyMap<string, KeyObject>;
  /** Empty for HS256, whose key is secret. */
  readonly publicJwks: readonly PublicJwk[];
}

/** The key material a function is configured with. */
export type KeyConfig = Pick<TokenConfig, 'algorithm' | 'privateJwk' | 'extraVerificationJwks'>;

/** A configured key that cannot be used as the configuration asks; thrown at cold start. */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}

export const MIN_RSA_BITS = 2048;
export const MIN_HMAC_BYTES = 32;

// RFC 7638: the members that identify a key, in lexicographic order.
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The key id of a JWK: its own kid, else its RFC 7638 SHA-256 thumbprint (stable across restarts).
 * An oct key must carry a kid: its thumbprint is a hash of the secret itself, never to be published.
 */
export function keyIdOf(jwk: Jwk): string {
  if (typeof jwk.kid === 'string' && jwk.kid) return jwk.kid;
  if (jwk.kty === 'oct') throw new InvalidKeyError('an oct (HS256) key needs a "kid": its thumbprint would be a hash of the secret');
  return createHash('sha256').update(JSON.stringify(publicMembersOf(jwk))).digest('base64url');
}

/** The public members of an asymmetric JWK (RFC 7638 order), without private parts or metadata. */
export function publicMembersOf(jwk: Jwk): Jwk {
  const members = THUMBPRINT_MEMBERS[jwk.kty];
  if (!members) throw new InvalidKeyError(`JWK "kty" ${JSON.stringify(jwk.kty)} is not an asymmetric key type`);
  // Built in the table's order, so JSON.stringify writes the RFC 7638 form.
  const result = {} as Jwk;
  for (const member of members) {
    const value = jwk[member];
    if (typeof value !== 'string' || !value) throw new InvalidKeyError(`JWK member "${member}" is missing or not a string`);
    result[member] = value;
  }
  return result;
}

/** Imports the configured private JWK as the signing key. */
export async function importSigningKey(config: KeyConfig): Promise<SigningKey> {
  const jwk = config.privateJwk;
  if (!jwk) throw new InvalidKeyError('importSigningKey needs a private JWK');
  const kid = keyIdOf(jwk);
  // Checked like a verification key, so a key too weak to verify is never used to sign.
  verificationKeyOf(jwk, config.algorithm, kid);
  const { subtle } = globalThis.crypto;
  const key =
    config.algorithm === 'HS256'
      ? await subtle.importKey('raw', secretOf(jwk, kid), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      : await subtle.importKey('jwk', privateMaterialOf(jwk), WEBCRYPTO_PARAMETERS[config.algorithm], false, ['sign']);
  return { kid, algorithm: config.algorithm, key };
}

/** The configured keys (the signing key's public half, then JWT_VERIFICATION_KEYS) as KeyObjects. */
export function importVerificationKeys(config: KeyConfig): VerificationKeySet {
  const jwks = [...(config.privateJwk ? [config.privateJwk] : []), ...config.extraVerificationJwks];
  const keys = new Map<string, KeyObject>();
  const publicJwks: PublicJwk[] = [];
  for (const jwk of jwks) {
    const kid = keyIdOf(jwk);
    if (keys.has(kid)) continue;
    keys.set(kid, verificationKeyOf(jwk, config.algorithm, kid));
    if (config.algorithm !== 'HS256') publicJwks.push({ ...publicMembersOf(jwk), kid, alg: config.algorithm, use: 'sig' });
  }
  return { algorithm: config.algorithm, keys, publicJwks };
}

const WEBCRYPTO_PARAMETERS: Record<Exclude<JwtAlgorithm, 'HS256'>, webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | webcrypto.Algorithm> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
};

/** A private JWK without the members WebCrypto would hold against the usage (kid, alg, use...). */
function privateMaterialOf(jwk: Jwk): webcrypto.JsonWebKey {
  const { kid: _kid, alg: _alg, use: _use, key_ops: _keyOps, ext: _ext, ...material } = jwk;
  return material as webcrypto.JsonWebKey;
}

function secretOf(jwk: Jwk, kid: string): Buffer {
  if (typeof jwk.k !== 'string') throw new InvalidKeyError(`key "${kid}" has no "k"`);
  return Buffer.from(jwk.k, 'base64url');
}

/** The key that verifies `algorithm`, or InvalidKeyError: a misfit is found at cold start, not per token. */
function verificationKeyOf(jwk: Jwk, algorithm: JwtAlgorithm, kid: string): KeyObject {
  const key =
    algorithm === 'HS256'
      ? jwk.kty === 'oct'
        ? createSecretKey(secretOf(jwk, kid))
        : undefined
      : THUMBPRINT_MEMBERS[jwk.kty]
        ? createPublicKey({ key: publicMembersOf(jwk) as JsonWebKey, format: 'jwk' })
        : undefined;
  if (!key || !fits(key, algorithm)) throw new InvalidKeyError(`key "${kid}" is not ${KEY_NEEDED[algorithm]} (${algorithm})`);
  return key;
}

const KEY_NEEDED: Record<JwtAlgorithm, string> = {
  ES256: 'a P-256 key',
  EdDSA: 'an Ed25519 key',
  RS256: `an RSA key of at least ${MIN_RSA_BITS} bits`,
  HS256: `a secret of at least ${MIN_HMAC_BYTES} bytes`,
};

function fits(key: KeyObject, algorithm: JwtAlgorithm): boolean {
  switch (algorithm) {
    case 'HS256':
      return key.type === 'secret' && (key.symmetricKeySize ?? 0) >= MIN_HMAC_BYTES;
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519';
    case 'RS256':
      return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS;
  }
}
