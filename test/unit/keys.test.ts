import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Jwk, JwtAlgorithm } from '../../lib/core/config';
import { importSigningKey, importVerificationKeys, InvalidKeyError, keyIdOf, type KeyConfig } from '../../lib/tokens/keys';
import { generateKeyMaterial } from '../support/jose-primitives';
import { ALGORITHMS } from '../support/token-kit';

const withoutKid = ({ kid: _kid, ...rest }: Jwk): Jwk => rest;
const configOf = (algorithm: JwtAlgorithm, extraVerificationJwks: Jwk[], privateJwk?: Jwk): KeyConfig => ({ algorithm, privateJwk, extraVerificationJwks });

describe('keyIdOf', () => {
  it.each(ALGORITHMS.filter((algorithm) => algorithm !== 'HS256'))('%s: the kid, else the RFC 7638 thumbprint jose computes', async (algorithm) => {
    const key = generateKeyMaterial(algorithm, 'given');
    expect(keyIdOf(key.privateJwk)).toBe('given');
    for (const jwk of [withoutKid(key.privateJwk), withoutKid(key.publicJwk)]) {
      expect(keyIdOf(jwk)).toBe(await calculateJwkThumbprint(jwk as JWK));
    }
  });

  it('matches RFC 7638, section 3.1 (the example RSA key)', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(keyIdOf({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '' })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('refuses to thumbprint an oct key: the thumbprint would be a hash of the secret', () => {
    const secret = randomBytes(32).toString('base64url');
    expect(() => keyIdOf({ kty: 'oct', k: secret })).toThrow(InvalidKeyError);
    expect(keyIdOf({ kty: 'oct', k: secret, kid: 'hs-1' })).toBe('hs-1');
  });

  it('refuses a key type it does not know or a member that is missing', () => {
    expect(() => keyIdOf({ kty: 'EC', crv: 'P-256', x: 'AA' })).toThrow(InvalidKeyError);
    expect(() => keyIdOf({ kty: 'XYZ' })).toThrow(InvalidKeyError);
  });
});

describe('importVerificationKeys', () => {
  it.each(ALGORITHMS)('%s: the signing key first, then the extra keys, by kid, as KeyObjects', (algorithm) => {
    const signing = generateKeyMaterial(algorithm, 'current');
    const previous = generateKeyMaterial(algorithm, 'previous');
    const { keys, publicJwks } = importVerificationKeys(configOf(algorithm, [previous.publicJwk, previous.publicJwk], signing.privateJwk));
    expect([...keys.keys()]).toEqual(['current', 'previous']);
    for (const key of keys.values()) expect(key.type).toBe(algorithm === 'HS256' ? 'secret' : 'public');
    if (algorithm === 'HS256') {
      // The JWKS never publishes a secret.
      expect(publicJwks).toEqual([]);
    } else {
      expect(publicJwks.map((jwk) => [jwk.kid, jwk.alg, jwk.use])).toEqual([
        ['current', algorithm, 'sig'],
        ['previous', algorithm, 'sig'],
      ]);
      for (const jwk of publicJwks) expect(Object.keys(jwk).filter((member) => ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].includes(member))).toEqual([]);
    }
  });

  it('names an asymmetric key without kid by its thumbprint, as the JWKS publishes it', () => {
    const signing = generateKeyMaterial('ES256');
    const { keys, publicJwks } = importVerificationKeys(configOf('ES256', [], signing.privateJwk));
    const thumbprint = keyIdOf(signing.publicJwk);
    expect([...keys.keys()]).toEqual([thumbprint]);
    expect(publicJwks[0]).toMatchObject({ kid: thumbprint, kty: 'EC', crv: 'P-256' });
  });

  it.each([
    ['an RSA key shorter than 2048 bits', 'RS256', { ...(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }) as Jwk), kid: 'short' }, 'key "short" is not an RSA key of at least 2048 bits (RS256)'],
    ['a P-384 key for ES256', 'ES256', { ...(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) as Jwk), kid: 'p384' }, 'key "p384" is not a P-256 key (ES256)'],
    ['an X25519 key for EdDSA', 'EdDSA', { ...(generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }) as Jwk), kid: 'x' }, 'key "x" is not an Ed25519 key (EdDSA)'],
    ['an RSA key for ES256', 'ES256', { ...generateKeyMaterial('RS256').publicJwk, kid: 'rsa' }, 'key "rsa" is not a P-256 key (ES256)'],
    ['an HS256 secret of 16 bytes', 'HS256', { kty: 'oct', k: randomBytes(16).toString('base64url'), kid: 'weak' }, 'key "weak" is not a secret of at least 32 bytes (HS256)'],
    ['an HS256 key without "k"', 'HS256', { kty: 'oct', K: randomBytes(32).toString('base64url'), kid: 'typo' }, 'key "typo" has no "k"'],
    ['an EC key for HS256', 'HS256', { ...generateKeyMaterial('ES256').publicJwk, kid: 'ec' }, 'key "ec" is not a secret of at least 32 bytes (HS256)'],
    ['an HS256 key without kid', 'HS256', { kty: 'oct', k: randomBytes(32).toString('base64url') }, 'an oct (HS256) key needs a "kid"'],
  ] as const)('refuses %s at cold start', (_case, algorithm, jwk, message) => {
    const attempt = () => importVerificationKeys(configOf(algorithm, [jwk]));
    expect(attempt).toThrow(InvalidKeyError);
    expect(attempt).toThrow(message);
  });
});

describe('importSigningKey', () => {
  it.each(ALGORITHMS)('%s: a non-extractable CryptoKey that signs, under the JWK kid', async (algorithm) => {
    const signing = generateKeyMaterial(algorithm, 'signer');
    const { kid, key } = await importSigningKey(configOf(algorithm, [], signing.privateJwk));
    expect(kid).toBe('signer');
    expect(key).toMatchObject({ type: algorithm === 'HS256' ? 'secret' : 'private', extractable: false, usages: ['sign'] });
  });

  it('refuses an HS256 key without kid and a weak RSA key, as verification would', async () => {
    await expect(importSigningKey(configOf('HS256', [], { kty: 'oct', k: randomBytes(32).toString('base64url') }))).rejects.toThrow(InvalidKeyError);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as Jwk;
    await expect(importSigningKey(configOf('RS256', [], { ...weak, kid: 'weak' }))).rejects.toThrow(InvalidKeyError);
  });

  it('refuses a configuration without a private JWK', async () => {
    await expect(importSigningKey(configOf('ES256', [generateKeyMaterial('ES256', 'public-only').publicJwk]))).rejects.toThrow(InvalidKeyError);
  });

  it('signs what the verification key of the same JWK verifies', async () => {
    const signing = generateKeyMaterial('ES256', 'pair');
    const config = configOf('ES256', [], signing.privateJwk);
    const { key } = await importSigningKey(config);
    const data = Buffer.from('signing input');
    const signature = Buffer.from(await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data));
    const publicKey = importVerificationKeys(config).keys.get('pair')!;
    expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(publicKey.equals(signing.publicKey!)).toBe(true);
  });
});
