import { createHmac, createSecretKey, generateKeyPairSync, randomBytes, sign as signBytes, type KeyObject } from 'node:crypto';
import type { Jwk, JwtAlgorithm } from '../../lib/core/config';

/**
 * JOSE primitives for building tokens by hand. Everything is synchronous node:crypto, so test files
 * can build corpora while jest collects tests, and any header or payload can be signed, however
 * wrong: jose's SignJWT would refuse to produce some.
 */

export type Json = Record<string, unknown>;

export const b64url = (input: string | Uint8Array): string => Buffer.from(input).toString('base64url');
export const encodeJson = (value: unknown): string => b64url(JSON.stringify(value));
export const decodeJson = (segment: string): unknown => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
export const segmentsOf = (token: string): string[] => token.split('.');

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The P-256 group order n; r or s equal to 0 or n is never a valid ECDSA signature. */
export const P256_ORDER = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');

/** Signs `input` as `alg` would with `key` (a KeyObject, or raw bytes as an HMAC secret). */
export function signWith(alg: string, key: KeyObject | Uint8Array, input: string): Buffer {
  const data = Buffer.from(input, 'latin1');
  if (alg === 'HS256') return createHmac('sha256', key).update(data).digest();
  if (key instanceof Uint8Array) throw new TypeError(`${alg} needs a KeyObject`);
  if (alg === 'ES256') return signBytes('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  if (alg === 'EdDSA') return signBytes(null, data, key);
  if (alg === 'RS256') return signBytes('sha256', data, key);
  throw new TypeError(`cannot sign ${alg}`);
}

/** `header.payload.signature` from already encoded segments. */
export function compact(headerSegment: string, payloadSegment: string, signature: (input: string) => Uint8Array | string): string {
  const input = `${headerSegment}.${payloadSegment}`;
  const sig = signature(input);
  return `${input}.${typeof sig === 'string' ? sig : b64url(sig)}`;
}

/** A key pair (or secret) of an algorithm, with its private and public JWKs. */
export interface KeyMaterial {
  readonly algorithm: JwtAlgorithm;
  readonly privateJwk: Jwk;
  /** What a verifier may hold: public members, or the secret for HS256. */
  readonly publicJwk: Jwk;
  readonly signingKey: KeyObject;
  /** For asymmetric keys, the public KeyObject (whose bytes an algorithm-confusion attack uses). */
  readonly publicKey: KeyObject | undefined;
}

/** A fresh key of an algorithm; `kid` undefined leaves the JWKs without one. */
export function generateKeyMaterial(algorithm: JwtAlgorithm, kid?: string, options: { rsaBits?: number; secretBytes?: number } = {}): KeyMaterial {
  const withKid = (jwk: Jwk): Jwk => (kid === undefined ? jwk : { ...jwk, kid });
  if (algorithm === 'HS256') {
    const secret = randomBytes(options.secretBytes ?? 32);
    const jwk = withKid({ kty: 'oct', k: secret.toString('base64url'), alg: 'HS256' });
    return { algorithm, privateJwk: jwk, publicJwk: jwk, signingKey: createSecretKey(secret), publicKey: undefined };
  }
  const { privateKey, publicKey } =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : algorithm === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: options.rsaBits ?? 2048 });
  return {
    algorithm,
    privateJwk: withKid({ ...(privateKey.export({ format: 'jwk' }) as Jwk), alg: algorithm }),
    publicJwk: withKid({ ...(publicKey.export({ format: 'jwk' }) as Jwk), alg: algorithm, use: 'sig' }),
    signingKey: privateKey,
    publicKey,
  };
}

/**
 * The last character of a base64url segment with unused bits set: it decodes to the same bytes,
 * so a lenient decoder takes it for the original. Needs a segment whose length is not a multiple of 4.
 */
export function nonCanonicalTail(segment: string): string {
  if (segment.length % 4 === 0) throw new RangeError('segment has no unused bits');
  const value = BASE64URL_ALPHABET.indexOf(segment.at(-1)!);
  return segment.slice(0, -1) + BASE64URL_ALPHABET[value | 1];
}

/** An IEEE P1363 ECDSA signature (r||s) re-encoded as ASN.1 DER. */
export function derOf(p1363: Buffer): Buffer {
  const integer = (bytes: Buffer) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    let value = bytes.subarray(start);
    if (value[0]! & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
    return Buffer.concat([Buffer.from([0x02, value.length]), value]);
  };
  const body = Buffer.concat([integer(p1363.subarray(0, 32)), integer(p1363.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** RFC 7515, Appendix A.3: the ES256 example key and JWS (which has no kid, typ, aud, sub...). */
export const RFC7515_A3 = {
  jwk: {
    kty: 'EC',
    crv: 'P-256',
    x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
    y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
  },
  jws:
    'eyJhbGciOiJFUzI1NiJ9' +
    '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
    '.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q',
} as const;
