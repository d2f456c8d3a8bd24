import { ConfigError } from '../core/errors';
import { loadServiceConfig } from '../core/service-config';
import { readInteger, readRequired, readString, valueOrDefault, type Env } from '../core/settings';

export const SUPPORTED_ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'HS256'] as const;
export type JwtAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export interface Jwk {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
  [member: string]: unknown;
}

export interface TokenConfig {
  readonly algorithm: JwtAlgorithm;
  /** The signing key; absent where a function only verifies (authorizer with asymmetric keys). */
  readonly privateJwk: Jwk | undefined;
  /** Extra verification keys (next / previous during a rotation), public JWKs. */
  readonly extraVerificationJwks: readonly Jwk[];
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly clockSkewSeconds: number;
}

/** OpenID Connect ID tokens are RS256 (Core §3.1.3.7), under a key of their own, whatever JWT_ALG is. */
export const ID_TOKEN_ALGORITHM = 'RS256' satisfies JwtAlgorithm;

/** The ID-token keys a function is configured with (lib/tokens/keys.ts imports them like the access-token keys). */
export interface IdTokenKeyConfig {
  readonly algorithm: typeof ID_TOKEN_ALGORITHM;
  /** The signing key: locally ID_TOKEN_PRIVATE_KEY; absent where a function only publishes. */
  readonly privateJwk: Jwk | undefined;
  /** ID_TOKEN_PUBLIC_KEYS: the published set (current and, during a rotation, next or previous). */
  readonly extraVerificationJwks: readonly Jwk[];
}

/** ID_TOKEN_PRIVATE_KEY and ID_TOKEN_PUBLIC_KEYS, both optional: a stage without them publishes no ID-token key. */
export function loadIdTokenKeys(env: Env): IdTokenKeyConfig {
  const raw = env.ID_TOKEN_PRIVATE_KEY?.trim();
  return {
    algorithm: ID_TOKEN_ALGORITHM,
    privateJwk: raw ? privateJwkOf(raw, 'ID_TOKEN_PRIVATE_KEY', ID_TOKEN_ALGORITHM) : undefined,
    extraVerificationJwks: readJwks(env, 'ID_TOKEN_PUBLIC_KEYS', ID_TOKEN_ALGORITHM),
  };
}

const DEFAULT_LOCAL_ISSUER = 'http://localhost:3000';

export function loadTokenConfig(env: Env, { requirePrivateKey }: { requirePrivateKey: boolean }): TokenConfig {
  const algorithm = readAlgorithm(env);
  const privateJwk = readPrivateJwk(env, algorithm, requirePrivateKey);
  const extraVerificationJwks = readJwks(env, 'JWT_VERIFICATION_KEYS', algorithm);
  if (!privateJwk && extraVerificationJwks.length === 0) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'is required (or JWT_VERIFICATION_KEYS for a verify-only function)');
  }
  const { service, stage, local } = loadServiceConfig(env);
  return {
    algorithm,
    privateJwk,
    extraVerificationJwks,
    // No issuer default outside local development: a token must never name a guessable issuer.
    issuer: local ? readString(env, 'JWT_ISSUER', DEFAULT_LOCAL_ISSUER) : readRequired(env, 'JWT_ISSUER'),
    // Per stage, so a token of one stage never passes another stage's check.
    audience: readString(env, 'JWT_AUDIENCE', `${service}-${stage}`),
    accessTokenTtlSeconds: readInteger(env, 'ACCESS_TOKEN_TTL_SECONDS', 1, 86_400),
    clockSkewSeconds: readInteger(env, 'CLOCK_SKEW_SECONDS', 0, 300),
  };
}

/** JWT_ALG, validated. */
export function readAlgorithm(env: Env): JwtAlgorithm {
  const raw = valueOrDefault(env, 'JWT_ALG') ?? 'ES256';
  const algorithm = SUPPORTED_ALGORITHMS.find((candidate) => candidate === raw);
  if (!algorithm) throw new ConfigError('JWT_ALG', `must be one of ${SUPPORTED_ALGORITHMS.join(', ')}, got "${raw}"`);
  return algorithm;
}

const KEY_TYPE_OF: Record<JwtAlgorithm, { kty: string; crv?: string }> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  RS256: { kty: 'RSA' },
  HS256: { kty: 'oct' },
};

function readPrivateJwk(env: Env, algorithm: JwtAlgorithm, required: boolean): Jwk | undefined {
  const raw = env.JWT_PRIVATE_KEY?.trim();
  if (!raw) {
    if (required || algorithm === 'HS256') throw new ConfigError('JWT_PRIVATE_KEY', 'is required');
    return undefined;
  }
  const jwk = privateJwkOf(raw, 'JWT_PRIVATE_KEY', algorithm);
  if (algorithm === 'HS256' && Buffer.from(jwk.k as string, 'base64url').length < 32) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'for HS256 must hold at least 32 bytes (256 bits)');
  }
  // An oct key's RFC 7638 thumbprint is a hash of the secret itself: it must never become the kid.
  if (algorithm === 'HS256' && (typeof jwk.kid !== 'string' || !jwk.kid)) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'for HS256 needs a "kid" (a thumbprint of a secret key would publish a hash of the secret)');
  }
  return jwk;
}

function privateJwkOf(raw: string, name: string, algorithm: JwtAlgorithm): Jwk {
  const jwk = parseJson(raw, name);
  checkKeyMatchesAlgorithm(jwk, algorithm, name);
  const privateMember = algorithm === 'HS256' ? 'k' : 'd';
  if (typeof jwk[privateMember] !== 'string') throw new ConfigError(name, `must be a private JWK (member "${privateMember}" is missing)`);
  return jwk;
}

function readJwks(env: Env, name: string, algorithm: JwtAlgorithm): Jwk[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  const parsed = parseJson(raw, name) as { keys?: unknown };
  if (!Array.isArray(parsed.keys)) throw new ConfigError(name, 'must be a JWK set: { "keys": [...] }');
  return parsed.keys.map((key) => {
    const jwk = key as Jwk;
    checkKeyMatchesAlgorithm(jwk, algorithm, name);
    if (typeof jwk.kid !== 'string' || !jwk.kid) throw new ConfigError(name, 'needs a "kid" on every key');
    if (algorithm !== 'HS256' && 'd' in jwk) throw new ConfigError(name, 'must hold public keys only');
    // A missing "k" must not become a guessable secret such as the bytes of "undefined".
    if (algorithm === 'HS256' && (typeof jwk.k !== 'string' || Buffer.from(jwk.k, 'base64url').length < 32)) {
      throw new ConfigError(name, 'for HS256 needs "k" with at least 32 bytes on every key');
    }
    return jwk;
  });
}

function parseJson(raw: string, name: string): Jwk {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Jwk;
  } catch {
    throw new ConfigError(name, 'must be JSON text of a JWK object');
  }
}

function checkKeyMatchesAlgorithm(jwk: Jwk, algorithm: JwtAlgorithm, name: string): void {
  const expected = KEY_TYPE_OF[algorithm];
  if (jwk.kty !== expected.kty || (expected.crv && jwk.crv !== expected.crv)) {
    throw new ConfigError(name, `must be a ${expected.kty}${expected.crv ? ` ${expected.crv}` : ''} key for ${algorithm}`);
  }
  if (jwk.alg !== undefined && jwk.alg !== algorithm) {
    throw new ConfigError(name, `has alg "${String(jwk.alg)}" but must be for ${algorithm}`);
  }
}
