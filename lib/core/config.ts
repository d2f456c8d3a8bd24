import { ConfigError } from './errors';
import CONTRACT_DEFAULTS from './defaults.json';

/**
 * Configuration is read from the environment once, at cold start, and frozen.
 * Nothing else in the code base reads process.env. Each loader is separate so the
 * authorizer bundle pulls in only what it needs.
 */
export type Env = Record<string, string | undefined>;

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

export interface AuthorizerConfig extends TokenConfig {
  readonly checkSession: boolean;
  /** AUTHORIZER_REQUIRED_AMR: the authorizer refuses (403) a token whose `amr` lacks this method. */
  readonly requiredAmr: string | undefined;
  readonly sessionsTable: string | undefined;
  readonly dynamoDbEndpoint: string | undefined;
}

/** What every function knows about where it runs. */
export interface ServiceConfig {
  readonly service: string;
  readonly stage: string;
  /** `npm start` and the tests: secrets and defaults that would be unsafe on AWS are allowed. */
  readonly local: boolean;
  readonly logLevel: string | undefined;
  readonly corsAllowedOrigins: readonly string[];
  /** COOKIE_PATH: the refresh cookie's Path; unset, it is derived from each request (lib/http/token-response.ts). */
  readonly cookiePath: string | undefined;
}

export interface StorageConfig {
  readonly usersTable: string;
  readonly sessionsTable: string;
  readonly dynamoDbEndpoint: string | undefined;
}

export interface SessionPolicyConfig {
  readonly refreshTokenTtlSeconds: number;
  readonly sessionMaxAgeSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly sessionLimitPerUser: number;
}

export interface AttemptLimitsConfig {
  readonly maxAttempts: number;
  readonly windowSeconds: number;
}

/** The server keys of keyed hashes (refresh and one-time tokens, cursors); `previous` during a rotation. */
export interface HashKeyConfig {
  readonly current: Buffer;
  readonly previous: Buffer | undefined;
}

const DEFAULT_SERVICE_NAME = 'jwt-auth';
const DEFAULT_LOCAL_ISSUER = 'http://localhost:3000';

/** The one place that reads the process environment. */
export const readEnvironment = (): Env => process.env;

export function loadServiceConfig(env: Env): ServiceConfig {
  return Object.freeze({
    service: readString(env, 'POWERTOOLS_SERVICE_NAME', DEFAULT_SERVICE_NAME),
    stage: readString(env, 'API_STAGE', 'dev'),
    local: env.AUTH_LOCAL_DEV === 'true',
    logLevel: env.LOG_LEVEL,
    corsAllowedOrigins: readOrigins(env, 'CORS_ALLOWED_ORIGINS'),
    cookiePath: readOptionalCookiePath(env, 'COOKIE_PATH'),
  });
}

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

export function loadAuthorizerConfig(env: Env): AuthorizerConfig {
  const checkSession = readBoolean(env, 'AUTHORIZER_CHECK_SESSION');
  // The authorizer verifies with public keys only, unless the algorithm is symmetric.
  const token = loadTokenConfig(env, { requirePrivateKey: false });
  return Object.freeze({
    ...token,
    checkSession,
    requiredAmr: readOptionalAmr(env, 'AUTHORIZER_REQUIRED_AMR'),
    sessionsTable: checkSession ? readRequired(env, 'SESSIONS_TABLE') : undefined,
    dynamoDbEndpoint: readOptionalUrl(env, 'DYNAMODB_ENDPOINT'),
  });
}

export function loadStorageConfig(env: Env): StorageConfig {
  return Object.freeze({
    usersTable: readRequired(env, 'USERS_TABLE'),
    sessionsTable: readRequired(env, 'SESSIONS_TABLE'),
    dynamoDbEndpoint: readOptionalUrl(env, 'DYNAMODB_ENDPOINT'),
  });
}

/** The table of emails kept for a retry (lib/email/outbox.ts); only the functions that send email read it. */
export const loadEmailOutboxTable = (env: Env): string => readRequired(env, 'EMAIL_OUTBOX_TABLE');

export function loadSessionPolicy(env: Env): SessionPolicyConfig {
  return Object.freeze({
    refreshTokenTtlSeconds: readInteger(env, 'REFRESH_TOKEN_TTL_SECONDS', 60, 31_536_000),
    sessionMaxAgeSeconds: readInteger(env, 'SESSION_MAX_AGE_SECONDS', 60, 31_536_000),
    refreshReuseGraceSeconds: readInteger(env, 'REFRESH_REUSE_GRACE_SECONDS', 0, 300),
    sessionLimitPerUser: readInteger(env, 'SESSION_LIMIT_PER_USER', 1, 100),
  });
}

export function loadAttemptLimits(env: Env): AttemptLimitsConfig {
  return Object.freeze({
    maxAttempts: readInteger(env, 'LOGIN_MAX_FAILURES', 1, 1000),
    windowSeconds: readInteger(env, 'LOGIN_LOCKOUT_SECONDS', 1, 86_400),
  });
}

export function loadLoginPolicy(env: Env): { readonly requireVerifiedEmail: boolean } {
  return Object.freeze({ requireVerifiedEmail: readBoolean(env, 'REQUIRE_VERIFIED_EMAIL') });
}

/** REAUTH_MAX_AGE_SECONDS: how recent a sign-in must be for a sensitive change, and how long a factor enrolled without a second factor stays on probation. */
export interface ReauthPolicy {
  readonly maxAgeSeconds: number;
}

export function loadReauthPolicy(env: Env): ReauthPolicy {
  return Object.freeze({ maxAgeSeconds: readInteger(env, 'REAUTH_MAX_AGE_SECONDS', 1, 86_400) });
}

export function loadHashKeys(env: Env): HashKeyConfig {
  const previous = env.REFRESH_TOKEN_PREVIOUS_HASH_KEY?.trim() ? readSecretKey(env, 'REFRESH_TOKEN_PREVIOUS_HASH_KEY') : undefined;
  return Object.freeze({ current: readSecretKey(env, 'REFRESH_TOKEN_HASH_KEY'), previous });
}

export interface EmailConfig {
  readonly from: string;
  readonly appBaseUrl: string;
  /** The local SES emulator; unset on AWS. */
  readonly sesEndpoint: string | undefined;
  readonly verificationTtlSeconds: number;
  readonly passwordResetTtlSeconds: number;
}

/** Email settings: EMAIL_FROM and APP_BASE_URL have local defaults only. */
export function loadEmailConfig(env: Env): EmailConfig {
  const { local } = loadServiceConfig(env);
  const port = env.PORT?.trim() || '3000';
  return Object.freeze({
    from: local ? readString(env, 'EMAIL_FROM', 'no-reply@example.com') : readRequired(env, 'EMAIL_FROM'),
    appBaseUrl: readUrl(env, 'APP_BASE_URL', local ? `http://localhost:${port}/dev/demo` : undefined, { httpsOnly: !local }),
    sesEndpoint: readOptionalUrl(env, 'SES_ENDPOINT'),
    verificationTtlSeconds: readInteger(env, 'EMAIL_VERIFICATION_TTL_SECONDS', 60, 2_592_000),
    passwordResetTtlSeconds: readInteger(env, 'PASSWORD_RESET_TTL_SECONDS', 60, 86_400),
  });
}

export interface MfaConfig {
  readonly issuerName: string;
}

export function loadMfaConfig(env: Env): MfaConfig {
  return Object.freeze({ issuerName: readString(env, 'MFA_ISSUER_NAME', loadServiceConfig(env).service) });
}

export interface WebAuthnConfig {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
}

/** Passkey settings: WEBAUTHN_RP_ID is required on AWS; origins default to the CORS allow-list. */
export function loadWebAuthnConfig(env: Env): WebAuthnConfig {
  const { local, service, corsAllowedOrigins } = loadServiceConfig(env);
  const port = env.PORT?.trim() || '3000';
  const rpId = local ? readString(env, 'WEBAUTHN_RP_ID', 'localhost') : readRequired(env, 'WEBAUTHN_RP_ID');
  if (!/^[a-z0-9.-]+$/i.test(rpId)) throw new ConfigError('WEBAUTHN_RP_ID', `must be a domain such as example.com, got "${rpId}"`);
  const configured = readOrigins(env, 'WEBAUTHN_ORIGINS');
  const origins = configured.length ? configured : local ? [`http://localhost:${port}`] : corsAllowedOrigins;
  if (origins.length === 0) throw new ConfigError('WEBAUTHN_ORIGINS', 'is required (or CORS_ALLOWED_ORIGINS) for passkeys');
  return Object.freeze({ rpId, rpName: readString(env, 'WEBAUTHN_RP_NAME', service), origins });
}

/** A variable's value, or its contract default (lib/core/defaults.json, shared with infra/environment.js). */
function valueOrDefault(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : (CONTRACT_DEFAULTS as Record<string, string | undefined>)[name];
}

function readString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function readRequired(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required');
  return value;
}

function readInteger(env: Env, name: string, min: number, max: number): number {
  const raw = valueOrDefault(env, name);
  if (!raw) throw new ConfigError(name, 'is required');
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readBoolean(env: Env, name: string): boolean {
  const raw = valueOrDefault(env, name)?.toLowerCase();
  if (!raw) return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(name, `must be "true" or "false", got "${raw}"`);
}

function readUrl(env: Env, name: string, fallback: string | undefined, { httpsOnly }: { httpsOnly: boolean }): string {
  const raw = env[name]?.trim() || fallback;
  if (!raw) throw new ConfigError(name, 'is required');
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  // The page a reset link opens reads a token from its fragment: over http, anyone on the path could too.
  if (httpsOnly && new URL(raw).protocol !== 'https:') throw new ConfigError(name, `must be an https URL outside local development, got "${raw}"`);
  return raw;
}

function readOptionalAmr(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^[a-z]{2,32}$/.test(raw)) throw new ConfigError(name, `must be one RFC 8176 method such as "mfa", got "${raw}"`);
  return raw;
}

function readOptionalUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!URL.canParse(raw)) throw new ConfigError(name, 'must be a URL');
  return raw;
}

/** What a cookie's Path may hold here: absolute, and no white space, control character, `;` or `,` (RFC 6265 path-value, narrowed). */
export const COOKIE_PATH_PATTERN = /^\/[\x21-\x2B\x2D-\x3A\x3C-\x7E]*$/;

function readOptionalCookiePath(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (!COOKIE_PATH_PATTERN.test(value)) throw new ConfigError(name, 'must be an absolute path such as /auth, without spaces, ";" or ","');
  return value;
}

function readOrigins(env: Env, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    // An origin is scheme://host[:port] exactly; "*" or a path would make the allow-list meaningless.
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(name, `holds "${origin}", which is not an origin such as https://app.example.com`);
    }
    return origin;
  });
}

function readSecretKey(env: Env, name: string): Buffer {
  const raw = readRequired(env, name);
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new ConfigError(name, 'must be base64url');
  const key = Buffer.from(raw, 'base64url');
  if (key.length < 32) throw new ConfigError(name, 'must hold at least 32 bytes');
  return key;
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
  const jwk = parseJson(raw, 'JWT_PRIVATE_KEY');
  checkKeyMatchesAlgorithm(jwk, algorithm, 'JWT_PRIVATE_KEY');
  const privateMember = algorithm === 'HS256' ? 'k' : 'd';
  if (typeof jwk[privateMember] !== 'string') {
    throw new ConfigError('JWT_PRIVATE_KEY', `must be a private JWK (member "${privateMember}" is missing)`);
  }
  if (algorithm === 'HS256' && Buffer.from(jwk.k as string, 'base64url').length < 32) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'for HS256 must hold at least 32 bytes (256 bits)');
  }
  // An oct key's RFC 7638 thumbprint is a hash of the secret itself: it must never become the kid.
  if (algorithm === 'HS256' && (typeof jwk.kid !== 'string' || !jwk.kid)) {
    throw new ConfigError('JWT_PRIVATE_KEY', 'for HS256 needs a "kid" (a thumbprint of a secret key would publish a hash of the secret)');
  }
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
    throw new ConfigError(name, `has alg "${String(jwk.alg)}" but JWT_ALG is ${algorithm}`);
  }
}
