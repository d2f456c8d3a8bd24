import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Jwk, JwtAlgorithm, TokenConfig } from '../core/config';
import { publicMembersOf } from './jwk';

/** The key that signs access tokens, imported once at cold start. */
export interface SigningKey {
  readonly kid: string;
  readonly algorithm: JwtAlgorithm;
  readonly key: CryptoKey;
}

/** Every key that may verify a live access token, by kid. */
export interface VerificationKeySet {
  readonly algorithm: JwtAlgorithm;
  readonly keys: ReadonlyMap<string, CryptoKey>;
  /** What the JWKS endpoint publishes: public members only (empty for HS256). */
  readonly publicJwks: readonly PublicJwk[];
}

export interface PublicJwk extends Jwk {
  kid: string;
  alg: JwtAlgorithm;
  use: 'sig';
}

/** The key id of a JWK: its own kid, else its RFC 7638 thumbprint (stable across restarts). */
export async function keyIdOf(jwk: Jwk): Promise<string> {
  return typeof jwk.kid === 'string' && jwk.kid ? jwk.kid : calculateJwkThumbprint(publicMembersOf(jwk) as JWK);
}

export async function importSigningKey(config: TokenConfig): Promise<SigningKey> {
  if (!config.privateJwk) throw new Error('importSigningKey needs a private JWK');
  return {
    kid: await keyIdOf(config.privateJwk),
    algorithm: config.algorithm,
    key: await importKey(config.privateJwk, config.algorithm, 'sign'),
  };
}

export async function importVerificationKeys(config: TokenConfig): Promise<VerificationKeySet> {
  const jwks = [...(config.privateJwk ? [config.privateJwk] : []), ...config.extraVerificationJwks];
  const keys = new Map<string, CryptoKey>();
  const publicJwks: PublicJwk[] = [];
  for (const jwk of jwks) {
    const kid = await keyIdOf(jwk);
    if (keys.has(kid)) continue;
    const verifyJwk = config.algorithm === 'HS256' ? jwk : publicMembersOf(jwk);
    keys.set(kid, await importKey(verifyJwk, config.algorithm, 'verify'));
    if (config.algorithm !== 'HS256') {
      publicJwks.push({ ...publicMembersOf(jwk), kid, alg: config.algorithm, use: 'sig' });
    }
  }
  return { algorithm: config.algorithm, keys, publicJwks };
}

async function importKey(jwk: Jwk, algorithm: JwtAlgorithm, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  if (algorithm === 'HS256') {
    // jose would keep an oct key as bytes and re-import it on every call; a CryptoKey is imported once.
    if (typeof jwk.k !== 'string') throw new Error(`HS256 key ${String(jwk.kid)} has no "k"`);
    const secret = Buffer.from(jwk.k, 'base64url');
    return crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
  }
  const { kid: _kid, alg: _alg, use: _use, key_ops: _ops, ext: _ext, ...material } = jwk;
  const key = await importJWK(material as JWK, algorithm, { extractable: false });
  return key as CryptoKey;
}
