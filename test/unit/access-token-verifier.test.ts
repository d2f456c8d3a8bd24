import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, verify as verifyWithNodeCrypto } from 'node:crypto';
import { jwtVerify } from 'jose';
import { createAccessTokenIssuer } from '../../lib/tokens/access-token-issuer';
import {
  AccessTokenRejectedError,
  checkCompactForm,
  createAccessTokenVerifier,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../../lib/tokens/reference-verifier';
import type { TokenConfig } from '../../lib/core/config';
import { createFastAccessTokenVerifier, importVerificationKeyObjects } from '../../lib/tokens/access-token-verifier';
import { importSigningKey, importVerificationKeys } from '../../lib/tokens/keys';
import { frozenClock } from '../support/fixtures';
import {
  ALGORITHMS,
  attackTokens,
  AUDIENCE,
  b64url,
  compact,
  createTokenKit,
  encodeJson,
  ISSUER,
  nonCanonicalTail,
  NOW,
  NOW_MS,
  RFC7515_A3,
  segmentsOf,
  signWith,
  SKEW_SECONDS,
  TTL_SECONDS,
  type TokenKit,
} from '../support/forge';

type VerifierOptions = Omit<AccessTokenVerifierOptions, 'keySet'>;
type BuildVerifier = (config: TokenConfig, options: VerifierOptions) => Promise<AccessTokenVerifier>;

// Both verification paths must make every decision below: jose's jwtVerify (the reference) and
// the node:crypto path the authorizer runs.
const IMPLEMENTATIONS: Array<[string, BuildVerifier]> = [
  ['jose verifier', async (config, options) => createAccessTokenVerifier({ keySet: await importVerificationKeys(config), ...options })],
  ['node:crypto verifier', async (config, options) => createFastAccessTokenVerifier({ keySet: importVerificationKeyObjects(config), ...options })],
];

const KITS: TokenKit[] = ALGORITHMS.map(createTokenKit);

const optionsFor = (kit: TokenKit, overrides: Partial<VerifierOptions> = {}): VerifierOptions => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  maxTokenAgeSeconds: TTL_SECONDS,
  clockSkewSeconds: SKEW_SECONDS,
  clock: kit.clock,
  ...overrides,
});

/** The error a refused token gives; fails the test if the token was accepted. */
async function refusal(promise: Promise<unknown>): Promise<AccessTokenRejectedError> {
  const outcome = await promise.then(
    (principal) => ({ accepted: principal }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`token accepted: ${JSON.stringify(outcome.accepted)}`);
  expect(outcome.error).toBeInstanceOf(AccessTokenRejectedError);
  return outcome.error as AccessTokenRejectedError;
}

describe.each(IMPLEMENTATIONS)('%s', (_name, build) => {
  describe.each(KITS.map((kit) => [kit.algorithm, kit] as const))('%s', (algorithm, kit) => {
    let verify: AccessTokenVerifier;
    let verifyWithoutSkew: AccessTokenVerifier;
    beforeAll(async () => {
      verify = await build(kit.config, optionsFor(kit));
      verifyWithoutSkew = await build(kit.config, optionsFor(kit, { clockSkewSeconds: 0 }));
    });

    it('accepts a token from the issuer, with string claims', async () => {
      const issuer = createAccessTokenIssuer({ signingKey: await importSigningKey(kit.config), issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS, clock: kit.clock });
      const { token } = await issuer.issue({ userId: 'user-42', sessionId: 'session-7', scope: 'profile:read' });
      expect(JSON.parse(Buffer.from(segmentsOf(token)[0]!, 'base64url').toString())).toEqual({ alg: algorithm, kid: kit.kid, typ: 'at+jwt' });

      const principal = await verify(token);

      expect(principal).toEqual({ sub: 'user-42', sid: 'session-7', scope: 'profile:read', jti: expect.any(String), exp: NOW + TTL_SECONDS });
    });

    it('accepts a token signed by the previous configured key under its kid', async () => {
      const token = kit.sign(encodeJson(kit.header({ kid: kit.previousKid })), encodeJson(kit.claims()), 'previous');
      await expect(verify(token)).resolves.toMatchObject({ sub: 'user-0b7c5e0e', sid: 'session-6a0f4b0e' });
    });

    it('gives an empty scope when the token has none', async () => {
      await expect(verify(kit.token({ scope: undefined }))).resolves.toMatchObject({ scope: '' });
    });

    it.each([
      ['typ AT+JWT (compared without regard to case)', {}, { typ: 'AT+JWT' }],
      ['typ application/at+jwt (RFC 9068 media type)', {}, { typ: 'application/at+jwt' }],
      ['aud as an array holding ours', { aud: ['another-api', AUDIENCE] }, {}],
      ['unknown claims and header members', { tenant: 't1', roles: ['a'] }, { cty: 'JWT', 'x-custom': 1 }],
      ['nbf in the past', { nbf: NOW - 10 }, {}],
    ])('accepts %s', async (_case, claims, header) => {
      await expect(verify(kit.token(claims, header))).resolves.toMatchObject({ sub: 'user-0b7c5e0e' });
    });

    it.each(attackTokens(kit).map((attack) => [attack.name, attack] as const))('refuses %s', async (_case, attack) => {
      const error = await refusal(verify(attack.token));
      expect(error.reason).toBe(attack.reason);
    });

    describe('time, with the clock at NOW + 0.999 s', () => {
      it('treats exp == now as expired and exp == now + 1 as valid (no skew)', async () => {
        expect((await refusal(verifyWithoutSkew(kit.token({ exp: NOW })))).reason).toBe('ERR_JWT_EXPIRED');
        await expect(verifyWithoutSkew(kit.token({ exp: NOW + 1 }))).resolves.toMatchObject({ exp: NOW + 1 });
      });

      it('accepts exp within the skew and refuses it just outside', async () => {
        await expect(verify(kit.token({ iat: NOW - 60, exp: NOW - SKEW_SECONDS + 1 }))).resolves.toMatchObject({ exp: NOW - SKEW_SECONDS + 1 });
        expect((await refusal(verify(kit.token({ iat: NOW - 60, exp: NOW - SKEW_SECONDS })))).reason).toBe('ERR_JWT_EXPIRED');
      });

      it('accepts nbf up to the skew ahead and refuses it beyond', async () => {
        await expect(verify(kit.token({ nbf: NOW + SKEW_SECONDS }))).resolves.toBeDefined();
        expect((await refusal(verify(kit.token({ nbf: NOW + SKEW_SECONDS + 1 })))).reason).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
        await expect(verifyWithoutSkew(kit.token({ nbf: NOW }))).resolves.toBeDefined();
        expect((await refusal(verifyWithoutSkew(kit.token({ nbf: NOW + 1 })))).reason).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
      });

      it('accepts iat up to the skew ahead and refuses it beyond', async () => {
        await expect(verify(kit.token({ iat: NOW + SKEW_SECONDS }))).resolves.toBeDefined();
        expect((await refusal(verify(kit.token({ iat: NOW + SKEW_SECONDS + 1 })))).reason).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
        expect((await refusal(verifyWithoutSkew(kit.token({ iat: NOW + 1 })))).reason).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
      });

      it('refuses a token older than the access-token lifetime plus skew, whatever its exp', async () => {
        await expect(verify(kit.token({ iat: NOW - TTL_SECONDS - SKEW_SECONDS, exp: NOW + 60 }))).resolves.toBeDefined();
        expect((await refusal(verify(kit.token({ iat: NOW - TTL_SECONDS - SKEW_SECONDS - 1, exp: NOW + 60 })))).reason).toBe('ERR_JWT_EXPIRED');
      });

      it('follows the clock it was given', async () => {
        const clock = frozenClock(NOW_MS);
        const verifier = await build(kit.config, optionsFor(kit, { clock, clockSkewSeconds: 0 }));
        const token = kit.token();
        await expect(verifier(token)).resolves.toBeDefined();
        clock.set((NOW + TTL_SECONDS) * 1000 - 1);
        await expect(verifier(token)).resolves.toBeDefined();
        clock.advance(1);
        expect((await refusal(verifier(token))).reason).toBe('ERR_JWT_EXPIRED');
      });
    });
  });

  describe('RFC 7515 Appendix A.3 (ES256 example)', () => {
    const { d: _d, ...publicJwk } = RFC7515_A3.jwk;
    const config: TokenConfig = {
      algorithm: 'ES256',
      privateJwk: undefined,
      extraVerificationJwks: [{ ...publicJwk, kid: 'rfc7515-a3' }],
      issuer: 'joe',
      audience: AUDIENCE,
      accessTokenTtlSeconds: TTL_SECONDS,
      clockSkewSeconds: SKEW_SECONDS,
    };
    // The example's own time: exp is 1300819380.
    const clock = frozenClock((1300819380 - 60) * 1000);

    it('carries a genuinely valid signature, checked with node:crypto', () => {
      const [header, payload, signature] = segmentsOf(RFC7515_A3.jws) as [string, string, string];
      const key = createPublicKey({ key: publicJwk, format: 'jwk' });
      const valid = verifyWithNodeCrypto('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
      expect(valid).toBe(true);
    });

    it('is refused by policy: no kid (and no typ, aud, sub, sid, jti, iat)', async () => {
      const verify = await build(config, { issuer: 'joe', audience: AUDIENCE, maxTokenAgeSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS, clock });
      expect((await refusal(verify(RFC7515_A3.jws))).reason).toBe('unknown kid');
      // Re-signed with the RFC key under our kid and typ, its claims still lack aud, sub, sid...
      const [, payload] = segmentsOf(RFC7515_A3.jws) as [string, string];
      const key = createPrivateKey({ key: RFC7515_A3.jwk, format: 'jwk' });
      const withKid = compact(encodeJson({ alg: 'ES256', kid: 'rfc7515-a3', typ: 'at+jwt' }), payload, (input) => signWith('ES256', key, input));
      expect((await refusal(verify(withKid))).reason).toBe('ERR_JWT_CLAIM_VALIDATION_FAILED');
    });

    it('accepts a complete access token signed with the RFC key, so the key is configured right', async () => {
      const verify = await build(config, { issuer: 'joe', audience: AUDIENCE, maxTokenAgeSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS, clock });
      const now = Math.floor(clock.now() / 1000);
      const claims = { iss: 'joe', aud: AUDIENCE, sub: 'joe', sid: 's', jti: 'j', iat: now, exp: now + 60 };
      const key = createPrivateKey({ key: RFC7515_A3.jwk, format: 'jwk' });
      const token = compact(encodeJson({ alg: 'ES256', kid: 'rfc7515-a3', typ: 'at+jwt' }), encodeJson(claims), (input) => signWith('ES256', key, input));
      await expect(verify(token)).resolves.toMatchObject({ sub: 'joe' });
    });
  });
});

describe('the strict compact-form pre-check', () => {
  const kit = KITS[0]!;

  it('refuses encodings that jose alone would accept as the valid token', async () => {
    const token = kit.token();
    const [h, p, s] = segmentsOf(token) as [string, string, string];
    const lenient = [`${token}${'='.repeat((4 - (s.length % 4)) % 4)}`, `${h}.${p}.${s.slice(0, 20)} ${s.slice(20)}`, `${h}.${p}.${nonCanonicalTail(s)}`];
    const keySet = await importVerificationKeys(kit.config);
    const key = keySet.keys.get(kit.kid)!;
    for (const variant of lenient) {
      // jose verifies the variant: without the pre-check, several strings would pass for one token.
      await expect(jwtVerify(variant, key, { currentDate: new Date(NOW_MS) })).resolves.toBeDefined();
      expect(() => checkCompactForm(variant)).toThrow(AccessTokenRejectedError);
    }
    expect(checkCompactForm(token)).toEqual(kit.header());
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
          const accepted = (() => {
            try {
              checkCompactForm(`${header}.${encodeJson({})}.${segment}`);
              return true;
            } catch {
              return false;
            }
          })();
          expect([segment, accepted]).toEqual([segment, roundTrip]);
          if (accepted) canonical += 1;
        }
      }
    }
    expect(canonical).toBeGreaterThan(0);
  });

  it('takes a leading UTF-8 BOM in the header as jose does, and refuses invalid UTF-8', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(kit.header()))]);
    expect(checkCompactForm(`${b64url(bom)}.${encodeJson({})}.AA`)).toEqual(kit.header());
    const invalid = Buffer.concat([Buffer.from('{"alg":"ES256","x":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    expect(() => checkCompactForm(`${b64url(invalid)}.${encodeJson({})}.AA`)).toThrow('header is not a JSON object');
  });
});

describe('createFastAccessTokenVerifier key checks at cold start', () => {
  const base = { issuer: ISSUER, audience: AUDIENCE, accessTokenTtlSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS, privateJwk: undefined };
  const options = { issuer: ISSUER, audience: AUDIENCE, maxTokenAgeSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS, clock: frozenClock(NOW_MS) };

  it('refuses an RSA key shorter than 2048 bits, as jose does at each verification', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const config: TokenConfig = { ...base, algorithm: 'RS256', extraVerificationJwks: [{ ...(publicKey.export({ format: 'jwk' }) as { kty: string }), kid: 'short' }] };
    expect(() => importVerificationKeyObjects(config)).toThrow('verification key "short" is not an RSA public key of at least 2048 bits (RS256)');
    // jose imports it, then refuses every token signed with it.
    const keySet = await importVerificationKeys(config);
    expect(() => createFastAccessTokenVerifier({ keySet, ...options })).toThrow('at least 2048 bits');
  });

  it('refuses an HS256 secret shorter than 32 bytes', () => {
    const config: TokenConfig = { ...base, algorithm: 'HS256', extraVerificationJwks: [{ kty: 'oct', k: randomBytes(16).toString('base64url'), kid: 'weak' }] };
    expect(() => importVerificationKeyObjects(config)).toThrow('verification key "weak" is not a secret of at least 32 bytes (HS256)');
  });

  it('refuses a key of another type than the algorithm needs', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const config: TokenConfig = { ...base, algorithm: 'ES256', extraVerificationJwks: [{ ...(publicKey.export({ format: 'jwk' }) as { kty: string }), kid: 'p384' }] };
    expect(() => importVerificationKeyObjects(config)).toThrow('is not a P-256 public key (ES256)');
  });

  it('takes the CryptoKeys of importVerificationKeys as well as KeyObjects', async () => {
    const kit = KITS[1]!;
    const verify = createFastAccessTokenVerifier({ keySet: await importVerificationKeys(kit.config), ...options, clock: kit.clock });
    await expect(verify(kit.token())).resolves.toMatchObject({ sub: 'user-0b7c5e0e' });
  });
});
