import { randomBytes } from 'node:crypto';
import type { AccessTokenRejection } from '../../lib/tokens/access-token-verifier';
import { b64url, compact, decodeJson, derOf, encodeJson, nonCanonicalTail, P256_ORDER, segmentsOf, signWith, type Json } from './jose-primitives';
import { ALGORITHMS, attackerKeyOf, AUDIENCE, claimsWithSpareBits, headerWithSpareBits, ISSUER, NOW, SKEW_SECONDS, TTL_SECONDS, type TokenKit } from './token-kit';

/** A token an attacker (or a broken issuer) might present, and the code it must be refused with. */
export interface AttackToken {
  readonly name: string;
  readonly token: string;
  readonly code: AccessTokenRejection;
}

/**
 * The attack catalogue for one kit. Time-based entries assume the kit's clock, TTL_SECONDS and
 * SKEW_SECONDS. Names are unique, so a failure names its attack.
 */
export function attackTokens(kit: TokenKit): AttackToken[] {
  const { algorithm, kid } = kit;
  const attacks: AttackToken[] = [];
  const add = (name: string, token: string, code: AccessTokenRejection) => attacks.push({ name, token, code });
  const valid = kit.token();
  const [h, p, s] = segmentsOf(valid) as [string, string, string];
  const payload = encodeJson(kit.claims());
  const signed = (header: Json, claims: Json = kit.claims()) => kit.sign(encodeJson(header), encodeJson(claims));
  const signedRaw = (header: Json, payloadText: string | Uint8Array) => kit.sign(encodeJson(header), b64url(payloadText));

  // alg "none" in every case, with no, a junk and a real signature.
  for (const none of ['none', 'None', 'NONE', 'nOnE']) {
    const header = encodeJson(kit.header({ alg: none }));
    add(`alg ${none}, empty signature`, `${header}.${payload}.`, 'malformed');
    add(`alg ${none}, no signature segment`, `${header}.${payload}`, 'malformed');
    add(`alg ${none}, junk signature`, `${header}.${payload}.${b64url('junk')}`, 'alg_not_allowed');
    add(`alg ${none}, the real signature`, `${header}.${p}.${s}`, 'alg_not_allowed');
  }
  add('alg none without kid', `${encodeJson({ alg: 'none', typ: 'at+jwt' })}.${payload}.AA`, 'alg_not_allowed');

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
      add(`HS256 keyed with the public key (${form})`, compact(header, payload, (input) => signWith('HS256', secret, input)), 'alg_not_allowed');
    }
  }

  // Signature segment: missing, tampered, re-encoded.
  add('stripped signature (empty segment)', `${h}.${p}.`, 'malformed');
  add('stripped signature (two segments)', `${h}.${p}`, 'malformed');
  const sigBytes = Buffer.from(s, 'base64url');
  const flipped = (index: number) => {
    const copy = Buffer.from(sigBytes);
    copy[index]! ^= 0x01;
    return b64url(copy);
  };
  add('tampered signature (first byte)', `${h}.${p}.${flipped(0)}`, 'invalid_signature');
  add('tampered signature (last byte)', `${h}.${p}.${flipped(sigBytes.length - 1)}`, 'invalid_signature');
  add('signature truncated by one byte', `${h}.${p}.${b64url(sigBytes.subarray(0, -1))}`, 'invalid_signature');
  add('signature extended by one byte', `${h}.${p}.${b64url(Buffer.concat([sigBytes, Buffer.from([0])]))}`, 'invalid_signature');
  add('signature doubled', `${h}.${p}.${b64url(Buffer.concat([sigBytes, sigBytes]))}`, 'invalid_signature');
  add('padded signature (=)', `${valid}=`, 'malformed');
  add('padded signature (==)', `${valid}==`, 'malformed');
  add('signature with a space', `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`, 'malformed');
  add('signature with a line break', `${h}.${p}.${s.slice(0, 10)}\n${s.slice(10)}`, 'malformed');
  add('token with a trailing newline', `${valid}\n`, 'malformed');
  add('token with a leading space', ` ${valid}`, 'malformed');
  const standardBase64 = sigBytes.toString('base64').replace(/=+$/, '');
  add('signature in standard base64 (+/)', `${h}.${p}.${standardBase64 !== s ? standardBase64 : `+/${s.slice(2)}`}`, 'malformed');
  add('signature with a non-canonical last character', `${h}.${p}.${nonCanonicalTail(s)}`, 'malformed');
  // A base64url length of 4k+1 encodes no whole number of bytes.
  add('signature of an impossible length', `${h}.${p}.${s}${'A'.repeat((5 - (s.length % 4)) % 4)}`, 'malformed');
  const spareHeader = encodeJson(headerWithSpareBits(kit));
  add('header with a non-canonical last character', kit.sign(nonCanonicalTail(spareHeader), p), 'malformed');
  const sparePayload = encodeJson(claimsWithSpareBits(kit));
  add('payload with a non-canonical last character', kit.sign(h, nonCanonicalTail(sparePayload)), 'malformed');
  add('padded payload', `${h}.${p}=.${s}`, 'malformed');
  add('five segments (JWE shape)', `${h}.${p}.${s}.${s}.${s}`, 'malformed');
  add('oversized token, validly signed', kit.token({ filler: 'x'.repeat(8192) }), 'malformed');

  // Payload changed after signing.
  add('tampered payload (sub)', `${h}.${encodeJson(kit.claims({ sub: 'admin' }))}.${s}`, 'invalid_signature');
  add('tampered payload (exp)', `${h}.${encodeJson({ ...(decodeJson(p) as Json), exp: NOW + 86_400 })}.${s}`, 'invalid_signature');
  add('tampered payload (amr)', `${h}.${encodeJson({ ...(decodeJson(p) as Json), amr: ['pwd', 'otp', 'mfa'] })}.${s}`, 'invalid_signature');
  add('tampered header (kid of the other configured key)', `${encodeJson(kit.header({ kid: kit.previousKid }))}.${p}.${s}`, 'invalid_signature');
  add('signed by the previous key under the current kid', kit.sign(h, p, 'previous'), 'invalid_signature');
  add('signed by an attacker key of the right type', compact(h, p, (input) => signWith(algorithm, attackerKeyOf(algorithm).signingKey, input)), 'invalid_signature');

  // Signatures that are all zeros or the group order (CVE-2022-21449, "psychic signatures").
  add('all-zero signature', `${h}.${p}.${b64url(Buffer.alloc(sigBytes.length))}`, 'invalid_signature');
  if (algorithm === 'ES256') {
    const rs = (r: Buffer, sPart: Buffer) => `${h}.${p}.${b64url(Buffer.concat([r, sPart]))}`;
    const one = Buffer.alloc(32);
    one[31] = 1;
    add('ECDSA r = s = 0 (psychic signature)', rs(Buffer.alloc(32), Buffer.alloc(32)), 'invalid_signature');
    add('ECDSA r = 0, s = 1', rs(Buffer.alloc(32), one), 'invalid_signature');
    add('ECDSA r = s = n', rs(P256_ORDER, P256_ORDER), 'invalid_signature');
    add('ECDSA r = n, s = real s', rs(P256_ORDER, sigBytes.subarray(32)), 'invalid_signature');
    add('ECDSA signature DER-encoded', `${h}.${p}.${b64url(derOf(sigBytes))}`, 'invalid_signature');
    add('ECDSA signature of 65 bytes (leading zero)', `${h}.${p}.${b64url(Buffer.concat([Buffer.alloc(1), sigBytes]))}`, 'invalid_signature');
  }

  // Key-bearing or key-pointing headers, signed by the attacker and by our own key.
  const attacker = attackerKeyOf(algorithm);
  const withAttackerKey = (header: Json) => compact(encodeJson(header), payload, (input) => signWith(algorithm, attacker.signingKey, input));
  add('embedded jwk (attacker key, attacker kid)', withAttackerKey(kit.header({ kid: 'attacker', jwk: attacker.publicJwk })), 'unsupported_header');
  add('embedded jwk (attacker key, our kid)', withAttackerKey(kit.header({ jwk: attacker.publicJwk })), 'unsupported_header');
  add('embedded jwk, signed by our key', signed(kit.header({ jwk: kit.key.publicJwk })), 'unsupported_header');
  add('jku to an attacker JWKS', withAttackerKey(kit.header({ jku: 'https://attacker.example/.well-known/jwks.json' })), 'unsupported_header');
  add('jku, signed by our key', signed(kit.header({ jku: 'https://auth.test/.well-known/jwks.json' })), 'unsupported_header');
  add('x5u to an attacker certificate', withAttackerKey(kit.header({ x5u: 'https://attacker.example/cert.pem' })), 'unsupported_header');
  add('x5u, signed by our key', signed(kit.header({ x5u: 'https://auth.test/cert.pem' })), 'unsupported_header');
  add('x5c, signed by our key', signed(kit.header({ x5c: [b64url(randomBytes(64))] })), 'unsupported_header');
  add('x5t, signed by our key', signed(kit.header({ x5t: b64url(randomBytes(20)) })), 'unsupported_header');
  add('x5t#S256, signed by our key', signed(kit.header({ 'x5t#S256': b64url(randomBytes(32)) })), 'unsupported_header');

  // kid: unknown, missing, injected, wrong type, the kid of a key of another algorithm.
  const kids: Array<[string, unknown]> = [
    ['unknown kid', 'nope'],
    ['missing kid', undefined],
    ['empty kid', ''],
    ['kid path traversal', '../../etc/passwd'],
    ['kid path traversal to /dev/null', '../../../../../../dev/null'],
    ['kid SQL injection', "' OR '1'='1"],
    ['kid SQL injection with comment', `${kid}' UNION SELECT 'secret' --`],
    ['kid command injection', `${kid}|cat /etc/passwd`],
    ['kid __proto__', '__proto__'],
    ['kid constructor', 'constructor'],
    ['kid with a trailing space', `${kid} `],
    ['kid upper-cased', kid.toUpperCase()],
    ['kid as a number', 1],
    ['kid as an array', [kid]],
    ['kid as an object', { kid }],
    ['kid null', null],
    ['kid of the attacker key', attacker.publicJwk.kid],
  ];
  for (const [name, value] of kids) add(name, signed(kit.header({ kid: value })), 'unknown_kid');
  for (const other of ALGORITHMS.filter((candidate) => candidate !== algorithm)) {
    const otherKey = attackerKeyOf(other);
    add(`${other} token signed with a ${other} key, under our kid`, compact(encodeJson(kit.header({ alg: other })), payload, (input) => signWith(other, otherKey.signingKey, input)), 'alg_not_allowed');
    add(`our alg, kid of a ${other} key`, signed(kit.header({ kid: otherKey.publicJwk.kid })), 'unknown_kid');
  }
  for (const alg of [algorithm.toLowerCase(), `${algorithm} `, 'ES384', 'PS256', 'RS512', 'HS512', 'Ed25519', '', null, [algorithm]]) {
    add(`header alg ${JSON.stringify(alg)}`, signed(kit.header({ alg })), 'alg_not_allowed');
  }
  add('header alg missing', signed(kit.header({ alg: undefined })), 'alg_not_allowed');

  // Header that is not a JSON object.
  for (const [name, text] of [['array', '[]'], ['string', '"at+jwt"'], ['null', 'null'], ['number', '1'], ['broken JSON', '{"alg":']] as const) {
    add(`header is ${name}`, `${b64url(text)}.${p}.${s}`, 'malformed');
  }
  add('header is invalid UTF-8', `${b64url(Buffer.concat([Buffer.from(`{"alg":"${algorithm}","kid":"${kid}","typ":"at+jwt","x":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]))}.${p}.${s}`, 'malformed');

  // Extensions that change how the token is read.
  add('crit with an unknown extension', signed(kit.header({ crit: ['urn:example:ext'], 'urn:example:ext': true })), 'unsupported_header');
  add('crit b64 = false (unencoded payload)', signed(kit.header({ crit: ['b64'], b64: false })), 'unsupported_header');
  add('crit naming a registered claim', signed(kit.header({ crit: ['exp'] })), 'unsupported_header');
  add('crit empty', signed(kit.header({ crit: [] })), 'unsupported_header');
  add('b64 = false without crit', signed(kit.header({ b64: false })), 'unsupported_header');
  add('zip (compressed payload)', signed(kit.header({ zip: 'DEF' })), 'unsupported_header');
  add('enc (a JWE header)', signed(kit.header({ enc: 'A256GCM' })), 'unsupported_header');

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
    add(`typ ${name}`, signed(kit.header({ typ })), 'invalid_typ');
  }

  // Issuer and audience.
  add('wrong iss', kit.token({ iss: 'https://attacker.example' }), 'invalid_issuer');
  add('iss with a trailing slash', kit.token({ iss: `${ISSUER}/` }), 'invalid_issuer');
  add('iss in another case', kit.token({ iss: ISSUER.toUpperCase() }), 'invalid_issuer');
  add('iss as an array', kit.token({ iss: [ISSUER] }), 'invalid_issuer');
  add('iss missing', kit.token({ iss: undefined }), 'invalid_issuer');
  add('wrong aud', kit.token({ aud: 'another-api' }), 'invalid_audience');
  add('aud in another case', kit.token({ aud: AUDIENCE.toUpperCase() }), 'invalid_audience');
  add('aud array without ours', kit.token({ aud: ['another-api', 'third-api'] }), 'invalid_audience');
  add('aud array with ours and a number', kit.token({ aud: [AUDIENCE, 1] }), 'invalid_audience');
  add('aud empty array', kit.token({ aud: [] }), 'invalid_audience');
  add('aud nested array', kit.token({ aud: [[AUDIENCE]] }), 'invalid_audience');
  add('aud missing', kit.token({ aud: undefined }), 'invalid_audience');
  add('aud null', kit.token({ aud: null }), 'invalid_audience');

  // Time (clock at NOW, skew SKEW_SECONDS, maximum age TTL_SECONDS).
  add('expired long ago', kit.token({ iat: NOW - 2 * TTL_SECONDS, exp: NOW - TTL_SECONDS }), 'expired');
  add('expired exactly at the edge of the skew', kit.token({ iat: NOW - 60, exp: NOW - SKEW_SECONDS }), 'expired');
  add('nbf just beyond the skew', kit.token({ nbf: NOW + SKEW_SECONDS + 1 }), 'not_yet_valid');
  add('nbf far in the future', kit.token({ nbf: NOW + 86_400 }), 'not_yet_valid');
  add('iat just beyond the skew in the future', kit.token({ iat: NOW + SKEW_SECONDS + 1, exp: NOW + SKEW_SECONDS + 1 + TTL_SECONDS }), 'not_yet_valid');
  add('iat older than the maximum age (exp still ahead)', kit.token({ iat: NOW - TTL_SECONDS - SKEW_SECONDS - 1, exp: NOW + 60 }), 'too_old');
  add('exp a year ahead, iat too old', kit.token({ iat: NOW - 86_400, exp: NOW + 31_536_000 }), 'too_old');
  const json = JSON.stringify(kit.claims());
  add('exp 1e400 (Infinity)', signedRaw(kit.header(), json.replace(/"exp":\d+/, '"exp":1e400')), 'invalid_claim');
  add('nbf -1e400 (-Infinity)', signedRaw(kit.header(), json.replace(/}$/, ',"nbf":-1e400}')), 'invalid_claim');

  // Claims missing or of the wrong type.
  for (const claim of ['exp', 'iat', 'sub', 'sid', 'jti']) add(`${claim} missing`, kit.token({ [claim]: undefined }), 'invalid_claim');
  for (const claim of ['exp', 'iat', 'nbf']) {
    add(`${claim} as a string`, kit.token({ [claim]: String(NOW + 60) }), 'invalid_claim');
    add(`${claim} null`, kit.token({ [claim]: null }), 'invalid_claim');
    add(`${claim} true`, kit.token({ [claim]: true }), 'invalid_claim');
    add(`${claim} as an array`, kit.token({ [claim]: [NOW + 60] }), 'invalid_claim');
  }
  for (const claim of ['sub', 'sid', 'jti', 'scope']) {
    add(`${claim} as a number`, kit.token({ [claim]: 42 }), 'invalid_claim');
    add(`${claim} null`, kit.token({ [claim]: null }), 'invalid_claim');
    add(`${claim} true`, kit.token({ [claim]: true }), 'invalid_claim');
    add(`${claim} as an array`, kit.token({ [claim]: ['x'] }), 'invalid_claim');
    add(`${claim} as an object`, kit.token({ [claim]: { value: 'x' } }), 'invalid_claim');
  }
  for (const claim of ['sub', 'sid', 'jti']) add(`${claim} empty`, kit.token({ [claim]: '' }), 'invalid_claim');

  // auth_time (OpenID Connect Core 2): a number of seconds when present.
  for (const [name, authTime] of [['a string', '1767268800'], ['null', null], ['true', true], ['an array', [NOW]], ['an object', { at: NOW }]] as const) {
    add(`auth_time ${name}`, kit.token({ auth_time: authTime }), 'invalid_claim');
  }

  // amr (RFC 8176): an array of short values without white space, so the context can join them.
  for (const [name, amr] of [
    ['a string', 'pwd'],
    ['null', null],
    ['an object', { 0: 'pwd' }],
    ['with a number', ['pwd', 1]],
    ['with an empty value', ['pwd', '']],
    ['with a space inside a value', ['pwd otp']],
    ['with a non-ASCII value', ['pw\u00e9']],
    ['with a value of 33 characters', ['x'.repeat(33)]],
    ['of 17 values', Array.from({ length: 17 }, (_, index) => `m${index}`)],
  ] as const) {
    add(`amr ${name}`, kit.token({ amr }), 'invalid_claim');
  }

  // Payload that is not a JSON object, validly signed.
  for (const [name, text] of [['an array', '[]'], ['a string', '"hello"'], ['a number', '1'], ['null', 'null'], ['broken JSON', '{"sub":'], ['empty object text with junk', '{} x']] as const) {
    add(`payload is ${name}`, signedRaw(kit.header(), text), 'malformed');
  }
  add('payload is invalid UTF-8', signedRaw(kit.header(), Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xff]), Buffer.from('"}')])), 'malformed');

  const names = new Set(attacks.map((attack) => attack.name));
  if (names.size !== attacks.length) throw new Error('attack names must be unique');
  return attacks;
}
