import { randomBytes } from 'node:crypto';
import { loadTokenConfig, type JwtAlgorithm, type TokenConfig } from '../../lib/core/config';
import {
  AccessTokenRejectedError,
  createAccessTokenVerifier,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
} from '../../lib/tokens/access-token-verifier';
import { importVerificationKeys } from '../../lib/tokens/keys';
import { frozenClock, type FrozenClock } from './fixtures';
import { compact, encodeJson, generateKeyMaterial, signWith, type Json, type KeyMaterial } from './jose-primitives';

/** One algorithm's configured keys, a frozen clock, and builders of valid and forged tokens. */

export const ALGORITHMS: readonly JwtAlgorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256'];
export const ISSUER = 'https://auth.test';
export const AUDIENCE = 'test-api';
export const TTL_SECONDS = 900;
export const SKEW_SECONDS = 30;
/** 12:00:00.999 UTC: the milliseconds check that "now" is floored to whole seconds. */
export const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0) + 999;
export const NOW = Math.floor(NOW_MS / 1000);

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
      amr: ['pwd'],
      iat: NOW,
      exp: NOW + TTL_SECONDS,
      auth_time: NOW - 60,
      ...overrides,
    }),
    token: (claimOverrides = {}, headerOverrides = {}) => kit.sign(encodeJson(kit.header(headerOverrides)), encodeJson(kit.claims(claimOverrides))),
    sign: (headerSegment, payloadSegment, which = 'current') =>
      compact(headerSegment, payloadSegment, (input) => signWith(algorithm, (which === 'current' ? key : previousKey).signingKey, input)),
  };
  return kit;
}

/** The options of the real verifier for a kit's configuration (NOW, SKEW_SECONDS, TTL_SECONDS). */
export function verifierOptionsFor(kit: TokenKit, overrides: Partial<AccessTokenVerifierOptions> = {}): AccessTokenVerifierOptions {
  const { algorithm, keys } = importVerificationKeys(kit.config);
  return { algorithm, keys, issuer: ISSUER, audience: AUDIENCE, maxTokenAgeSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS, clock: kit.clock, ...overrides };
}

/** The real verifier for a kit. */
export const verifierFor = (kit: TokenKit, overrides: Partial<AccessTokenVerifierOptions> = {}): AccessTokenVerifier =>
  createAccessTokenVerifier(verifierOptionsFor(kit, overrides));

/** The AccessTokenRejectedError that `verify` throws; fails the test if it accepts or throws anything else. */
export function refusalOf(verify: () => unknown): AccessTokenRejectedError {
  let accepted: unknown;
  try {
    accepted = verify();
  } catch (error) {
    if (error instanceof AccessTokenRejectedError) return error;
    throw error;
  }
  throw new Error(`token accepted: ${JSON.stringify(accepted)}`);
}

/** Attacker keys of every type, made once per test file. */
let attackerKeys: Record<JwtAlgorithm, KeyMaterial> | undefined;
export function attackerKeyOf(algorithm: JwtAlgorithm): KeyMaterial {
  attackerKeys ??= Object.fromEntries(ALGORITHMS.map((alg) => [alg, generateKeyMaterial(alg, `attacker-${alg.toLowerCase()}`)])) as Record<JwtAlgorithm, KeyMaterial>;
  return attackerKeys[algorithm];
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
