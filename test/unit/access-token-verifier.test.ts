import { createPrivateKey, createPublicKey, verify as verifyWithNodeCrypto } from 'node:crypto';
import { jwtVerify } from 'jose';
import { createAccessTokenIssuer } from '../../lib/tokens/access-token-issuer';
import {
  ACCESS_TOKEN_REJECTIONS,
  AccessTokenRejectedError,
  createAccessTokenVerifier,
  decompose,
  type AccessTokenVerifier,
} from '../../lib/tokens/access-token-verifier';
import { importSigningKey, importVerificationKeys } from '../../lib/tokens/keys';
import { attackTokens } from '../support/attack-catalogue';
import { frozenClock } from '../support/fixtures';
import { b64url, compact, encodeJson, nonCanonicalTail, RFC7515_A3, segmentsOf, signWith } from '../support/jose-primitives';
import {
  ALGORITHMS,
  AUDIENCE,
  createTokenKit,
  ISSUER,
  NOW,
  NOW_MS,
  refusalOf,
  SKEW_SECONDS,
  TTL_SECONDS,
  verifierFor,
  verifierOptionsFor,
  type TokenKit,
} from '../support/token-kit';
import { sessionClaimsWith } from '../../lib/tokens/session-claims';

const KITS: TokenKit[] = ALGORITHMS.map(createTokenKit);

describe.each(KITS.map((kit) => [kit.algorithm, kit] as const))('access-token verifier, %s', (algorithm, kit) => {
  const verify = verifierFor(kit);
  const verifyWithoutSkew = verifierFor(kit, { clockSkewSeconds: 0 });

  it('accepts a token from the issuer and returns its principal, amr included', async () => {
    const issuer = createAccessTokenIssuer({ signingKey: await importSigningKey(kit.config), issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS, clock: kit.clock });
    const { token } = await issuer.issue({ userId: 'user-42', sessionId: 'session-7', claims: sessionClaimsWith({ scope: 'profile:read', amr: ['pwd', 'otp', 'mfa'], authTime: NOW - 60 }) });
    expect(JSON.parse(Buffer.from(segmentsOf(token)[0]!, 'base64url').toString())).toEqual({ alg: algorithm, kid: kit.kid, typ: 'at+jwt' });

    expect(verify(token)).toEqual({ ...sessionClaimsWith({ scope: 'profile:read', amr: ['pwd', 'otp', 'mfa'], authTime: NOW - 60 }), sub: 'user-42', sid: 'session-7', jti: expect.any(String), exp: NOW + TTL_SECONDS });
  });

  it('accepts a token signed by the previous configured key under its kid', () => {
    const token = kit.sign(encodeJson(kit.header({ kid: kit.previousKid })), encodeJson(kit.claims()), 'previous');
    expect(verify(token)).toMatchObject({ sub: 'user-0b7c5e0e', sid: 'session-6a0f4b0e' });
  });

  it('gives an empty scope and an empty amr when the token has neither (tokens from before amr)', () => {
    expect(verify(kit.token({ scope: undefined, amr: undefined }))).toMatchObject({ scope: '', amr: [] });
  });

  it.each([
    ['typ AT+JWT (compared without regard to case)', {}, { typ: 'AT+JWT' }],
    ['typ application/at+jwt (RFC 9068 media type)', {}, { typ: 'Application/At+JWT' }],
    ['aud as an array holding ours', { aud: ['another-api', AUDIENCE] }, {}],
    ['unknown claims and header members', { tenant: 't1', roles: ['a'] }, { cty: 'JWT', 'x-custom': 1 }],
    ['nbf in the past', { nbf: NOW - 10 }, {}],
    ['amr of 16 values of 32 characters', { amr: Array.from({ length: 16 }, (_, index) => `${index}`.padEnd(32, 'x')) }, {}],
    ['amr empty', { amr: [] }, {}],
  ])('accepts %s', (_case, claims, header) => {
    expect(verify(kit.token(claims, header))).toMatchObject({ sub: 'user-0b7c5e0e' });
  });

  it.each(attackTokens(kit).map((attack) => [attack.name, attack] as const))('refuses %s', (_case, attack) => {
    expect(refusalOf(() => verify(attack.token))).toMatchObject({ name: 'AccessTokenRejectedError', code: attack.code });
  });

  it('does not let a header seen with a valid token excuse a bad signature', () => {
    const token = kit.token();
    verify(token);
    const [header, payload] = segmentsOf(token) as [string, string];
    const forged = `${header}.${payload}.${b64url(Buffer.alloc(Buffer.from(segmentsOf(token)[2]!, 'base64url').length, 1))}`;
    expect(refusalOf(() => verify(forged))).toMatchObject({ code: 'invalid_signature' });
    expect(refusalOf(() => verify(kit.token({ exp: NOW - 3600, iat: NOW - 4000 })))).toMatchObject({ code: 'expired' });
  });

  describe('time, with the clock at NOW + 0.999 s', () => {
    it('treats exp == now as expired and exp == now + 1 as valid (no skew)', () => {
      expect(refusalOf(() => verifyWithoutSkew(kit.token({ exp: NOW })))).toMatchObject({ code: 'expired' });
      expect(verifyWithoutSkew(kit.token({ exp: NOW + 1 }))).toMatchObject({ exp: NOW + 1 });
    });

    it('accepts exp within the skew and refuses it at the edge', () => {
      expect(verify(kit.token({ iat: NOW - 60, exp: NOW - SKEW_SECONDS + 1 }))).toMatchObject({ exp: NOW - SKEW_SECONDS + 1 });
      expect(refusalOf(() => verify(kit.token({ iat: NOW - 60, exp: NOW - SKEW_SECONDS })))).toMatchObject({ code: 'expired' });
    });

    it('accepts nbf up to the skew ahead and refuses it beyond', () => {
      expect(verify(kit.token({ nbf: NOW + SKEW_SECONDS }))).toMatchObject({ sub: 'user-0b7c5e0e' });
      expect(refusalOf(() => verify(kit.token({ nbf: NOW + SKEW_SECONDS + 1 })))).toMatchObject({ code: 'not_yet_valid' });
      expect(verifyWithoutSkew(kit.token({ nbf: NOW }))).toMatchObject({ sub: 'user-0b7c5e0e' });
      expect(refusalOf(() => verifyWithoutSkew(kit.token({ nbf: NOW + 1 })))).toMatchObject({ code: 'not_yet_valid' });
    });

    it('accepts iat up to the skew ahead and refuses it beyond', () => {
      expect(verify(kit.token({ iat: NOW + SKEW_SECONDS }))).toMatchObject({ sub: 'user-0b7c5e0e' });
      expect(refusalOf(() => verify(kit.token({ iat: NOW + SKEW_SECONDS + 1 })))).toMatchObject({ code: 'not_yet_valid' });
      expect(refusalOf(() => verifyWithoutSkew(kit.token({ iat: NOW + 1 })))).toMatchObject({ code: 'not_yet_valid' });
    });

    it('refuses a token older than the access-token lifetime plus skew, whatever its exp', () => {
      expect(verify(kit.token({ iat: NOW - TTL_SECONDS - SKEW_SECONDS, exp: NOW + 60 }))).toMatchObject({ sub: 'user-0b7c5e0e' });
      expect(refusalOf(() => verify(kit.token({ iat: NOW - TTL_SECONDS - SKEW_SECONDS - 1, exp: NOW + 60 })))).toMatchObject({ code: 'too_old' });
    });

    it('follows the clock it was given', () => {
      const clock = frozenClock(NOW_MS);
      const verifier = verifierFor(kit, { clock, clockSkewSeconds: 0 });
      const token = kit.token();
      expect(verifier(token)).toMatchObject({ exp: NOW + TTL_SECONDS });
      clock.set((NOW + TTL_SECONDS) * 1000 - 1);
      expect(verifier(token)).toMatchObject({ exp: NOW + TTL_SECONDS });
      clock.advance(1);
      expect(refusalOf(() => verifier(token))).toMatchObject({ code: 'expired' });
    });
  });
});

describe('the attack catalogue', () => {
  it('exercises every rejection code, for every algorithm', () => {
    for (const kit of KITS) {
      expect([...new Set(attackTokens(kit).map((attack) => attack.code))].sort()).toEqual([...ACCESS_TOKEN_REJECTIONS].sort());
    }
  });
});

describe('RFC 7515 Appendix A.3 (ES256 example)', () => {
  const { d: _d, ...publicJwk } = RFC7515_A3.jwk;
  const { algorithm, keys } = importVerificationKeys({ algorithm: 'ES256', privateJwk: undefined, extraVerificationJwks: [{ ...publicJwk, kid: 'rfc7515-a3' }] });
  // The example's own time: exp is 1300819380.
  const clock = frozenClock((1300819380 - 60) * 1000);
  const verify = createAccessTokenVerifier({ algorithm, keys, issuer: 'joe', audience: AUDIENCE, maxTokenAgeSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS, clock });
  const privateKey = createPrivateKey({ key: RFC7515_A3.jwk, format: 'jwk' });

  it('carries a genuinely valid signature, checked with node:crypto', () => {
    const [header, payload, signature] = segmentsOf(RFC7515_A3.jws) as [string, string, string];
    const key = createPublicKey({ key: publicJwk, format: 'jwk' });
    expect(verifyWithNodeCrypto('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('is refused by policy: no typ; re-signed with our typ and kid, its claims still lack sub, sid...', () => {
    expect(refusalOf(() => verify(RFC7515_A3.jws))).toMatchObject({ code: 'invalid_typ' });
    const [, payload] = segmentsOf(RFC7515_A3.jws) as [string, string];
    const withKid = compact(encodeJson({ alg: 'ES256', kid: 'rfc7515-a3', typ: 'at+jwt' }), payload, (input) => signWith('ES256', privateKey, input));
    expect(refusalOf(() => verify(withKid))).toMatchObject({ code: 'invalid_claim' });
  });

  it('accepts a complete access token signed with the RFC key, so the key is configured right', () => {
    const now = Math.floor(clock.now() / 1000);
    const claims = { iss: 'joe', aud: AUDIENCE, sub: 'joe', sid: 's', jti: 'j', iat: now, exp: now + 60 };
    const token = compact(encodeJson({ alg: 'ES256', kid: 'rfc7515-a3', typ: 'at+jwt' }), encodeJson(claims), (input) => signWith('ES256', privateKey, input));
    expect(verify(token)).toMatchObject({ sub: 'joe', amr: [] });
  });
});

describe('decompose: the strict compact form', () => {
  const kit = KITS[0]!;

  it('refuses encodings that jose alone would accept as the valid token', async () => {
    const token = kit.token();
    const [h, p, s] = segmentsOf(token) as [string, string, string];
    const lenient = [`${token}${'='.repeat((4 - (s.length % 4)) % 4)}`, `${h}.${p}.${s.slice(0, 20)} ${s.slice(20)}`, `${h}.${p}.${nonCanonicalTail(s)}`];
    const key = importVerificationKeys(kit.config).keys.get(kit.kid)!;
    for (const variant of lenient) {
      // jose verifies the variant: without decompose, several strings would pass for one token.
      await expect(jwtVerify(variant, key, { currentDate: new Date(NOW_MS) })).resolves.toMatchObject({ payload: { sub: 'user-0b7c5e0e' } });
      expect(refusalOf(() => decompose(variant))).toMatchObject({ code: 'malformed' });
    }
    expect(decompose(token)).toEqual({ headerSegment: h, payloadSegment: p, signatureSegment: s, signingInput: `${h}.${p}` });
  });

  it('judges canonical base64url exactly as a decode and re-encode round trip does', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const header = encodeJson({ alg: 'ES256' });
    let canonical = 0;
    for (const body of ['', 'Q', 'QU', 'QUJD']) {
      for (const last of alphabet) {
        for (const prefix of ['QQ', 'QUI', 'QUJDRA']) {
          const segment = `${body}${prefix}${last}`;
          const roundTrip = segment.length % 4 !== 1 && Buffer.from(segment, 'base64url').toString('base64url') === segment;
          let accepted = true;
          try {
            decompose(`${header}.${encodeJson({})}.${segment}`);
          } catch (error) {
            expect(error).toBeInstanceOf(AccessTokenRejectedError);
            accepted = false;
          }
          expect([segment, accepted]).toEqual([segment, roundTrip]);
          if (accepted) canonical += 1;
        }
      }
    }
    expect(canonical).toBeGreaterThan(0);
  });

  it('takes a leading UTF-8 BOM in the header, and refuses invalid UTF-8', () => {
    const verify = verifierFor(kit);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(kit.header()))]);
    expect(verify(kit.sign(b64url(bom), encodeJson(kit.claims())))).toMatchObject({ sub: 'user-0b7c5e0e' });
    const invalid = Buffer.concat([Buffer.from(JSON.stringify(kit.header()).slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    expect(refusalOf(() => verify(kit.sign(b64url(invalid), encodeJson(kit.claims()))))).toMatchObject({ code: 'malformed' });
  });
});

describe('createAccessTokenVerifier options', () => {
  const kit = KITS[0]!;

  it.each([
    ['a negative clock skew', { clockSkewSeconds: -1 }],
    ['a clock skew of NaN', { clockSkewSeconds: Number.NaN }],
    ['a maximum age of 0', { maxTokenAgeSeconds: 0 }],
    ['no keys', { keys: new Map() }],
  ])('refuses %s at construction', (_case, overrides) => {
    expect(() => createAccessTokenVerifier(verifierOptionsFor(kit, overrides))).toThrow(RangeError);
  });

  it('throws a RangeError, not a rejection, when the clock gives no time (so the authorizer logs a bug)', () => {
    const verify: AccessTokenVerifier = verifierFor(kit, { clock: { now: () => Number.NaN } });
    expect(() => verify(kit.token())).toThrow(RangeError);
  });
});
