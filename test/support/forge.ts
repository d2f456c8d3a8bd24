import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  sign as signBytes,
  type KeyObject,
} from 'node:crypto';
import { loadTokenConfig, type Jwk, type JwtAlgorithm, type TokenConfig } from '../../lib/core/config';
import { frozenClock, type FrozenClock } from './fixtures';

/**
 * Builders of hostile access tokens. Everything here is synchronous node:crypto, so test files
 * can build their corpora while jest collects tests (`test.each` over named tokens), and any
 * header or payload can be signed, however wrong: jose's SignJWT would refuse to produce some.
 */

export const ALGORITHMS: readonly JwtAlgorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256'];
export const ISSUER = 'https://auth.test';
export const AUDIENCE = 'test-api';
export const TTL_SECONDS = 900;
export const SKEW_SECONDS = 30;
/** 12:00:00.999 UTC: the milliseconds check that "now" is floored to whole seconds. */
export const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0) + 999;
export const NOW = Math.floor(NOW_MS / 1000);

export type Json = Record<string, unknown>;

export const b64url = (input: string | Uint8Array): string => Buffer.from(input).toString('base64url');
export const encodeJson = (value: unknown): string => b64url(JSON.stringify(value));
export const decodeJson = (segment: string): unknown => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
export const segmentsOf = (token: string): string[] => token.split('.');

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

/** Signing keys from a JWK (private for asymmetric algorithms, the secret for HS256). */
export function keyObjectsOf(algorithm: JwtAlgorithm, privateJwk: Jwk): { signingKey: KeyObject; publicKey: KeyObject | undefined } {
  if (algorithm === 'HS256') return { signingKey: createSecretKey(Buffer.from(String(privateJwk.k), 'base64url')), publicKey: undefined };
  const signingKey = createPrivateKey({ key: privateJwk as never, format: 'jwk' });
  return { signingKey, publicKey: createPublicKey(signingKey) };
}

/** One algorithm's configured keys, a frozen clock and builders of valid and forged tokens. */
export interface TokenKit {
  readonly algorithm: JwtAlgorithm;
  readonly kid: string;
  readonly key: KeyMaterial;
  /** A second configured key (the previous one during a rotation), kid `previous-<alg>`. */
  readonly previousKey: KeyMaterial;
  readonly previousKid: string;
  readonly config: TokenConfig;
  /** The environment that yields `config` (for createAuthorizerDeps). */
  readonly env: Record<string, string>;
  readonly clock: FrozenClock;
  /** The valid protected header, with overrides (an `undefined` member is left out). */
  header(overrides?: Json): Json;
  /** Valid claims at NOW, with overrides (an `undefined` member is left out). */
  claims(overrides?: Json): Json;
  /** A token signed with the configured key; valid unless the overrides make it otherwise. */
  token(claimOverrides?: Json, headerOverrides?: Json): string;
  /** Signs encoded segments with the configured key (or the previous one). */
  sign(headerSegment: string, payloadSegment: string, which?: 'current' | 'previous'): string;
}

export function createTokenKit(algorithm: JwtAlgorithm): TokenKit {
  const kid = `${algorithm.toLowerCase()}-2026-01-01-${randomBytes(4).toString('hex')}`;
  const key = generateKeyMaterial(algorithm, kid);
  const previousKid = `previous-${algorithm.toLowerCase()}`;
  const previousKey = generateKeyMaterial(algorithm, previousKid);
  const env = {
    JWT_ALG: algorithm,
    JWT_PRIVATE_KEY: JSON.stringify(key.privateJwk),
    JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [previousKey.publicJwk] }),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS),
    CLOCK_SKEW_SECONDS: String(SKEW_SECONDS),
    LOG_LEVEL: 'silent',
  };
  const config = loadTokenConfig(env, { requirePrivateKey: true });
  let serial = 0;
  const kit: TokenKit = {
    algorithm,
    kid,
    key,
    previousKey,
    previousKid,
    config,
    env,
    clock: frozenClock(NOW_MS),
    header: (overrides = {}) => ({ alg: algorithm, kid, typ: 'at+jwt', ...overrides }),
    claims: (overrides = {}) => ({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-0b7c5e0e',
      sid: 'session-6a0f4b0e',
      jti: `jti-${(serial += 1)}`,
      scope: 'read write',
      iat: NOW,
      exp: NOW + TTL_SECONDS,
      ...overrides,
    }),
    token: (claimOverrides = {}, headerOverrides = {}) => kit.sign(encodeJson(kit.header(headerOverrides)), encodeJson(kit.claims(claimOverrides))),
    sign: (headerSegment, payloadSegment, which = 'current') =>
      compact(headerSegment, payloadSegment, (input) => signWith(algorithm, (which === 'current' ? key : previousKey).signingKey, input)),
  };
  return kit;
}

/** Attacker keys of every type, made once per test file. */
let attackerKeys: Record<JwtAlgorithm, KeyMaterial> | undefined;
export function attackerKeyOf(algorithm: JwtAlgorithm): KeyMaterial {
  attackerKeys ??= Object.fromEntries(ALGORITHMS.map((alg) => [alg, generateKeyMaterial(alg, `attacker-${alg.toLowerCase()}`)])) as Record<JwtAlgorithm, KeyMaterial>;
  return attackerKeys[algorithm];
}

/**
 * The last character of a base64url segment with unused bits set: it decodes to the same bytes,
 * so a lenient decoder takes it for the original. Needs a segment whose length is not a multiple of 4.
 */
export function nonCanonicalTail(segment: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  if (segment.length % 4 === 0) throw new Error('segment has no unused bits');
  const value = alphabet.indexOf(segment.at(-1)!);
  return segment.slice(0, -1) + alphabet[value | 1];
}

/** A header whose encoding has unused trailing bits (its JSON length is not a multiple of 3). */
export function headerWithSpareBits(kit: TokenKit): Json {
  for (let pad = ''; ; pad += 'x') {
    const header = kit.header(pad ? { cty: `JWT${pad}` } : {});
    if (JSON.stringify(header).length % 3 !== 0) return header;
  }
}

/** Claims whose encoding has unused trailing bits. */
export function claimsWithSpareBits(kit: TokenKit): Json {
  for (let jti = 'jti-spare'; ; jti += 'x') {
    const claims = kit.claims({ jti });
    if (JSON.stringify(claims).length % 3 !== 0) return claims;
  }
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

export interface AttackToken {
  readonly name: string;
  readonly token: string;
  /** The AccessTokenRejectedError reason both verifiers must give. */
  readonly reason: string;
}

const FORM = 'not a compact JWS';
const NON_CANONICAL = 'non-canonical base64url';
const NOT_OBJECT = 'header is not a JSON object';
const UNKNOWN_KID = 'unknown kid';
const ALG = 'ERR_JOSE_ALG_NOT_ALLOWED';
const SIGNATURE = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
const JWS_INVALID = 'ERR_JWS_INVALID';
const INVALID = 'ERR_JWT_INVALID';
const CLAIM = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const EXPIRED = 'ERR_JWT_EXPIRED';
const member = (name: string) => `header member ${name} is not accepted`;

/**
 * Every token an attacker (or a broken issuer) might present, each with the reason it must be
 * refused for. Time-based entries assume the kit's clock, TTL_SECONDS and SKEW_SECONDS.
 */
export function attackTokens(kit: TokenKit): AttackToken[] {
  const { algorithm, kid } = kit;
  const attacks: AttackToken[] = [];
  const add = (name: string, token: string, reason: string) => attacks.push({ name, token, reason });
  const valid = kit.token();
  const [h, p, s] = segmentsOf(valid) as [string, string, string];
  const payload = encodeJson(kit.claims());
  const signed = (header: Json, claims: Json = kit.claims()) => kit.sign(encodeJson(header), encodeJson(claims));
  const signedRaw = (header: Json, payloadText: string | Uint8Array) => kit.sign(encodeJson(header), b64url(payloadText));

  // alg "none" in every case, with no, a junk and a real signature.
  for (const none of ['none', 'None', 'NONE', 'nOnE']) {
    const header = encodeJson(kit.header({ alg: none }));
    add(`alg ${none}, empty signature`, `${header}.${payload}.`, FORM);
    add(`alg ${none}, no signature segment`, `${header}.${payload}`, FORM);
    add(`alg ${none}, junk signature`, `${header}.${payload}.${b64url('junk')}`, ALG);
    add(`alg ${none}, the real signature`, `${header}.${p}.${s}`, ALG);
  }
  add('alg none without kid', `${encodeJson({ alg: 'none', typ: 'at+jwt' })}.${payload}.AA`, UNKNOWN_KID);

  // Algorithm confusion: HS256 keyed with the public key's bytes, in every form one could find.
  const publicKey = kit.key.publicKey;
  if (publicKey) {
    const publicJwk = kit.key.publicJwk;
    const { kid: _kid, alg: _alg, use: _use, ...bareJwk } = publicJwk;
    const secrets: Record<string, Uint8Array> = {
      'SPKI PEM': Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }) as string),
      'SPKI PEM without trailing newline': Buffer.from((publicKey.export({ format: 'pem', type: 'spki' }) as string).trimEnd()),
      'SPKI DER': publicKey.export({ format: 'der', type: 'spki' }),
      'JWK JSON as published': Buffer.from(JSON.stringify(publicJwk)),
      'JWK JSON, key members only': Buffer.from(JSON.stringify(bareJwk)),
      'JWKS JSON': Buffer.from(JSON.stringify({ keys: [publicJwk] })),
    };
    if (algorithm === 'RS256') {
      secrets['PKCS#1 PEM'] = Buffer.from(publicKey.export({ format: 'pem', type: 'pkcs1' }) as string);
      secrets['modulus bytes'] = Buffer.from(String(publicJwk.n), 'base64url');
    } else {
      secrets['raw x coordinate'] = Buffer.from(String(publicJwk.x), 'base64url');
    }
    if (algorithm === 'ES256') {
      secrets['uncompressed point'] = Buffer.concat([Buffer.from([4]), Buffer.from(String(publicJwk.x), 'base64url'), Buffer.from(String(publicJwk.y), 'base64url')]);
    }
    for (const [form, secret] of Object.entries(secrets)) {
      const header = encodeJson(kit.header({ alg: 'HS256' }));
      add(`HS256 keyed with the public key (${form})`, compact(header, payload, (input) => signWith('HS256', secret, input)), ALG);
    }
  }

  // Signature segment: missing, tampered, re-encoded.
  add('stripped signature (empty segment)', `${h}.${p}.`, FORM);
  add('stripped signature (two segments)', `${h}.${p}`, FORM);
  const sigBytes = Buffer.from(s, 'base64url');
  const flipped = (index: number) => {
    const copy = Buffer.from(sigBytes);
    copy[index]! ^= 0x01;
    return b64url(copy);
  };
  add('tampered signature (first byte)', `${h}.${p}.${flipped(0)}`, SIGNATURE);
  add('tampered signature (last byte)', `${h}.${p}.${flipped(sigBytes.length - 1)}`, SIGNATURE);
  add('signature truncated by one byte', `${h}.${p}.${b64url(sigBytes.subarray(0, -1))}`, SIGNATURE);
  add('signature extended by one byte', `${h}.${p}.${b64url(Buffer.concat([sigBytes, Buffer.from([0])]))}`, SIGNATURE);
  add('signature doubled', `${h}.${p}.${b64url(Buffer.concat([sigBytes, sigBytes]))}`, SIGNATURE);
  add('padded signature (=)', `${valid}=`, FORM);
  add('padded signature (==)', `${valid}==`, FORM);
  add('signature with a space', `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`, FORM);
  add('signature with a line break', `${h}.${p}.${s.slice(0, 10)}\n${s.slice(10)}`, FORM);
  add('token with a trailing newline', `${valid}\n`, FORM);
  add('token with a leading space', ` ${valid}`, FORM);
  const standardBase64 = sigBytes.toString('base64').replace(/=+$/, '');
  add('signature in standard base64 (+/)', `${h}.${p}.${standardBase64 !== s ? standardBase64 : `+/${s.slice(2)}`}`, FORM);
  add('signature with a non-canonical last character', `${h}.${p}.${nonCanonicalTail(s)}`, NON_CANONICAL);
  // A base64url length of 4k+1 encodes no whole number of bytes.
  add('signature of an impossible length', `${h}.${p}.${s}${'A'.repeat((5 - (s.length % 4)) % 4)}`, NON_CANONICAL);
  const spareHeader = encodeJson(headerWithSpareBits(kit));
  add('header with a non-canonical last character', kit.sign(nonCanonicalTail(spareHeader), p), NON_CANONICAL);
  const sparePayload = encodeJson(claimsWithSpareBits(kit));
  add('payload with a non-canonical last character', kit.sign(h, nonCanonicalTail(sparePayload)), NON_CANONICAL);
  add('padded payload', `${h}.${p}=.${s}`, FORM);
  add('five segments (JWE shape)', `${h}.${p}.${s}.${s}.${s}`, FORM);
  add('oversized token, validly signed', kit.token({ filler: 'x'.repeat(8192) }), FORM);

  // Payload changed after signing.
  add('tampered payload (sub)', `${h}.${encodeJson(kit.claims({ sub: 'admin' }))}.${s}`, SIGNATURE);
  add('tampered payload (exp)', `${h}.${encodeJson({ ...(decodeJson(p) as Json), exp: NOW + 86_400 })}.${s}`, SIGNATURE);
  add('tampered header (kid of the other configured key)', `${encodeJson(kit.header({ kid: kit.previousKid }))}.${p}.${s}`, SIGNATURE);
  add('signed by the previous key under the current kid', kit.sign(h, p, 'previous'), SIGNATURE);
  add('signed by an attacker key of the right type', compact(h, p, (input) => signWith(algorithm, attackerKeyOf(algorithm).signingKey, input)), SIGNATURE);

  // Signatures that are all zeros or the group order (CVE-2022-21449, "psychic signatures").
  const length = sigBytes.length;
  add('all-zero signature', `${h}.${p}.${b64url(Buffer.alloc(length))}`, SIGNATURE);
  if (algorithm === 'ES256') {
    const rs = (r: Buffer, sPart: Buffer) => `${h}.${p}.${b64url(Buffer.concat([r, sPart]))}`;
    const one = Buffer.alloc(32);
    one[31] = 1;
    add('ECDSA r = s = 0 (psychic signature)', rs(Buffer.alloc(32), Buffer.alloc(32)), SIGNATURE);
    add('ECDSA r = 0, s = 1', rs(Buffer.alloc(32), one), SIGNATURE);
    add('ECDSA r = s = n', rs(P256_ORDER, P256_ORDER), SIGNATURE);
    add('ECDSA r = n, s = real s', rs(P256_ORDER, sigBytes.subarray(32)), SIGNATURE);
    add('ECDSA signature DER-encoded', `${h}.${p}.${b64url(derOf(sigBytes))}`, SIGNATURE);
    add('ECDSA signature of 65 bytes (leading zero)', `${h}.${p}.${b64url(Buffer.concat([Buffer.alloc(1), sigBytes]))}`, SIGNATURE);
  }

  // Key-bearing or key-pointing headers, signed by the attacker and by our own key.
  const attacker = attackerKeyOf(algorithm);
  const withAttackerKey = (header: Json) => compact(encodeJson(header), payload, (input) => signWith(algorithm, attacker.signingKey, input));
  add('embedded jwk (attacker key, attacker kid)', withAttackerKey(kit.header({ kid: 'attacker', jwk: attacker.publicJwk })), member('jwk'));
  add('embedded jwk (attacker key, our kid)', withAttackerKey(kit.header({ jwk: attacker.publicJwk })), member('jwk'));
  add('embedded jwk, signed by our key', signed(kit.header({ jwk: kit.key.publicJwk })), member('jwk'));
  add('jku to an attacker JWKS', withAttackerKey(kit.header({ jku: 'https://attacker.example/.well-known/jwks.json' })), member('jku'));
  add('jku, signed by our key', signed(kit.header({ jku: 'https://auth.test/.well-known/jwks.json' })), member('jku'));
  add('x5u to an attacker certificate', withAttackerKey(kit.header({ x5u: 'https://attacker.example/cert.pem' })), member('x5u'));
  add('x5u, signed by our key', signed(kit.header({ x5u: 'https://auth.test/cert.pem' })), member('x5u'));
  add('x5c, signed by our key', signed(kit.header({ x5c: [b64url(randomBytes(64))] })), member('x5c'));
  add('x5t, signed by our key', signed(kit.header({ x5t: b64url(randomBytes(20)) })), member('x5t'));

  // kid: unknown, missing, injected, wrong type, the kid of a key of another algorithm.
  const kids: Array<[string, unknown, string]> = [
    ['unknown kid', 'nope', UNKNOWN_KID],
    ['missing kid', undefined, UNKNOWN_KID],
    ['empty kid', '', UNKNOWN_KID],
    ['kid path traversal', '../../etc/passwd', UNKNOWN_KID],
    ['kid path traversal to /dev/null', '../../../../../../dev/null', UNKNOWN_KID],
    ['kid SQL injection', "' OR '1'='1", UNKNOWN_KID],
    ['kid SQL injection with comment', `${kid}' UNION SELECT 'secret' --`, UNKNOWN_KID],
    ['kid command injection', `${kid}|cat /etc/passwd`, UNKNOWN_KID],
    ['kid __proto__', '__proto__', UNKNOWN_KID],
    ['kid constructor', 'constructor', UNKNOWN_KID],
    ['kid with a trailing space', `${kid} `, UNKNOWN_KID],
    ['kid upper-cased', kid.toUpperCase(), UNKNOWN_KID],
    ['kid as a number', 1, UNKNOWN_KID],
    ['kid as an array', [kid], UNKNOWN_KID],
    ['kid as an object', { kid }, UNKNOWN_KID],
    ['kid null', null, UNKNOWN_KID],
    ['kid of the attacker key', attacker.publicJwk.kid, UNKNOWN_KID],
  ];
  for (const [name, value, reason] of kids) add(name, signed(kit.header({ kid: value })), reason);
  for (const other of ALGORITHMS.filter((candidate) => candidate !== algorithm)) {
    const otherKey = attackerKeyOf(other);
    add(`${other} token signed with a ${other} key, under our kid`, compact(encodeJson(kit.header({ alg: other })), payload, (input) => signWith(other, otherKey.signingKey, input)), ALG);
    add(`our alg, kid of a ${other} key`, signed(kit.header({ kid: otherKey.publicJwk.kid })), UNKNOWN_KID);
  }
  for (const alg of [algorithm.toLowerCase(), `${algorithm} `, 'ES384', 'PS256', 'RS512', 'HS512', 'Ed25519']) {
    add(`header alg "${alg}"`, signed(kit.header({ alg })), ALG);
  }
  // jose tells an absent or empty alg (JWSInvalid) from one that is not allowed.
  add('header alg empty', signed(kit.header({ alg: '' })), JWS_INVALID);
  add('header alg missing', signed(kit.header({ alg: undefined })), JWS_INVALID);
  add('header alg null', signed(kit.header({ alg: null })), JWS_INVALID);
  add('header alg as an array', signed(kit.header({ alg: [algorithm] })), JWS_INVALID);

  // Header that is not a JSON object.
  for (const [name, text] of [['array', '[]'], ['string', '"at+jwt"'], ['null', 'null'], ['number', '1'], ['broken JSON', '{"alg":']] as const) {
    add(`header is ${name}`, `${b64url(text)}.${p}.${s}`, NOT_OBJECT);
  }
  add('header is invalid UTF-8', `${b64url(Buffer.concat([Buffer.from(`{"alg":"${algorithm}","kid":"${kid}","typ":"at+jwt","x":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]))}.${p}.${s}`, NOT_OBJECT);

  // Extensions that change how the token is read.
  add('crit with an unknown extension', signed(kit.header({ crit: ['urn:example:ext'], 'urn:example:ext': true })), member('crit'));
  add('crit b64 = false (unencoded payload)', signed(kit.header({ crit: ['b64'], b64: false })), member('crit'));
  add('crit naming a registered claim', signed(kit.header({ crit: ['exp'] })), member('crit'));
  add('crit empty', signed(kit.header({ crit: [] })), member('crit'));
  add('b64 = false without crit', signed(kit.header({ b64: false })), member('b64'));
  add('zip (compressed payload)', signed(kit.header({ zip: 'DEF' })), member('zip'));
  add('enc (a JWE header)', signed(kit.header({ enc: 'A256GCM' })), member('enc'));

  // typ.
  for (const [name, typ] of [
    ['missing', undefined],
    ['JWT', 'JWT'],
    ['jwt', 'jwt'],
    ['application/jwt', 'application/jwt'],
    ['at+jwt with a trailing space', 'at+jwt '],
    ['at-jwt', 'at-jwt'],
    ['text/at+jwt', 'text/at+jwt'],
    ['application/at+jwt; charset=utf-8', 'application/at+jwt; charset=utf-8'],
    ['application/application/at+jwt', 'application/application/at+jwt'],
    ['empty', ''],
    ['a number', 1],
    ['null', null],
    ['an array', ['at+jwt']],
  ] as const) {
    add(`typ ${name}`, signed(kit.header({ typ })), CLAIM);
  }

  // Issuer and audience.
  add('wrong iss', kit.token({ iss: 'https://attacker.example' }), CLAIM);
  add('iss with a trailing slash', kit.token({ iss: `${ISSUER}/` }), CLAIM);
  add('iss in another case', kit.token({ iss: ISSUER.toUpperCase() }), CLAIM);
  add('iss as an array', kit.token({ iss: [ISSUER] }), CLAIM);
  add('iss missing', kit.token({ iss: undefined }), CLAIM);
  add('wrong aud', kit.token({ aud: 'another-api' }), CLAIM);
  add('aud in another case', kit.token({ aud: AUDIENCE.toUpperCase() }), CLAIM);
  add('aud array without ours', kit.token({ aud: ['another-api', 'third-api'] }), CLAIM);
  add('aud empty array', kit.token({ aud: [] }), CLAIM);
  add('aud nested array', kit.token({ aud: [[AUDIENCE]] }), CLAIM);
  add('aud missing', kit.token({ aud: undefined }), CLAIM);
  add('aud null', kit.token({ aud: null }), CLAIM);

  // Time (clock at NOW, skew SKEW_SECONDS, maximum age TTL_SECONDS).
  add('expired long ago', kit.token({ iat: NOW - 2 * TTL_SECONDS, exp: NOW - TTL_SECONDS }), EXPIRED);
  add('expired exactly at the edge of the skew', kit.token({ iat: NOW - 60, exp: NOW - SKEW_SECONDS }), EXPIRED);
  add('nbf just beyond the skew', kit.token({ nbf: NOW + SKEW_SECONDS + 1 }), CLAIM);
  add('nbf far in the future', kit.token({ nbf: NOW + 86_400 }), CLAIM);
  add('iat just beyond the skew in the future', kit.token({ iat: NOW + SKEW_SECONDS + 1, exp: NOW + SKEW_SECONDS + 1 + TTL_SECONDS }), CLAIM);
  add('iat older than the maximum age (exp still ahead)', kit.token({ iat: NOW - TTL_SECONDS - SKEW_SECONDS - 1, exp: NOW + 60 }), EXPIRED);
  add('exp a year ahead, iat too old', kit.token({ iat: NOW - 86_400, exp: NOW + 31_536_000 }), EXPIRED);

  // Claims missing or of the wrong type.
  for (const claim of ['exp', 'iat', 'sub', 'sid', 'jti']) add(`${claim} missing`, kit.token({ [claim]: undefined }), CLAIM);
  for (const claim of ['exp', 'iat', 'nbf']) {
    add(`${claim} as a string`, kit.token({ [claim]: String(NOW + 60) }), CLAIM);
    add(`${claim} null`, kit.token({ [claim]: null }), CLAIM);
    add(`${claim} true`, kit.token({ [claim]: true }), CLAIM);
    add(`${claim} as an array`, kit.token({ [claim]: [NOW + 60] }), CLAIM);
  }
  const principalReasons: Record<string, string> = { sub: 'sub is not a string', sid: 'sid is not a string', jti: 'jti is not a string', scope: 'scope is not a string' };
  for (const claim of ['sub', 'sid', 'jti', 'scope']) {
    add(`${claim} as a number`, kit.token({ [claim]: 42 }), principalReasons[claim]!);
    add(`${claim} null`, kit.token({ [claim]: null }), principalReasons[claim]!);
    add(`${claim} true`, kit.token({ [claim]: true }), principalReasons[claim]!);
    add(`${claim} as an array`, kit.token({ [claim]: ['x'] }), principalReasons[claim]!);
    add(`${claim} as an object`, kit.token({ [claim]: { value: 'x' } }), principalReasons[claim]!);
  }
  for (const claim of ['sub', 'sid', 'jti']) add(`${claim} empty`, kit.token({ [claim]: '' }), principalReasons[claim]!);

  // Payload that is not a JSON object, validly signed.
  for (const [name, text] of [['an array', '[]'], ['a string', '"hello"'], ['a number', '1'], ['null', 'null'], ['broken JSON', '{"sub":'], ['empty object text with junk', '{} x']] as const) {
    add(`payload is ${name}`, signedRaw(kit.header(), text), INVALID);
  }
  add('payload is invalid UTF-8', signedRaw(kit.header(), Buffer.concat([Buffer.from(JSON.stringify(kit.claims()).slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xff]), Buffer.from('"}')])), INVALID);

  const names = new Set(attacks.map((attack) => attack.name));
  if (names.size !== attacks.length) throw new Error('attack names must be unique');
  return attacks;
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
