import { randomBytes } from 'node:crypto';
import {
  loadAttemptLimits,
  loadAuthorizerConfig,
  loadEmailConfig,
  loadHashKeys,
  loadReauthPolicy,
  loadServiceConfig,
  loadSessionPolicy,
  loadStorageConfig,
  loadTokenConfig,
  type Env,
} from '../../lib/core/config';

/** Every loader a login function runs, as one object. */
function loadAppConfig(env: Env) {
  const limits = loadAttemptLimits(env);
  return Object.freeze({
    ...loadServiceConfig(env),
    ...loadTokenConfig(env, { requirePrivateKey: true }),
    ...loadStorageConfig(env),
    ...loadSessionPolicy(env),
    hashKeys: loadHashKeys(env),
    loginMaxFailures: limits.maxAttempts,
    loginLockoutSeconds: limits.windowSeconds,
  });
}
import { ConfigError } from '../../lib/core/errors';
import { signingJwk } from '../support/fixtures';

async function validEnv(overrides: Env = {}): Promise<Env> {
  return {
    JWT_PRIVATE_KEY: JSON.stringify(await signingJwk('ES256')),
    REFRESH_TOKEN_HASH_KEY: randomBytes(32).toString('base64url'),
    USERS_TABLE: 'users',
    SESSIONS_TABLE: 'sessions',
    AUTH_LOCAL_DEV: 'true',
    ...overrides,
  };
}

function expectConfigError(load: () => unknown, variable: string) {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
    return;
  }
  throw new Error(`expected a ConfigError naming ${variable}`);
}

describe('configuration', () => {
  it('applies the contract defaults and freezes the result', async () => {
    const config = loadAppConfig(await validEnv());
    expect(config).toMatchObject({
      algorithm: 'ES256',
      issuer: 'http://localhost:3000',
      audience: 'jwt-auth-dev',
      sessionLimitPerUser: 100,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 1209600,
      sessionMaxAgeSeconds: 2592000,
      refreshReuseGraceSeconds: 10,
      loginMaxFailures: 5,
      loginLockoutSeconds: 900,
      corsAllowedOrigins: [],
      clockSkewSeconds: 30,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(loadAuthorizerConfig(await validEnv()).checkSession).toBe(false);
  });

  it.each([
    ['JWT_ALG', { JWT_ALG: 'none' }],
    ['JWT_ALG', { JWT_ALG: 'HS512' }],
    ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: '' }],
    ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: 'not json' }],
    ['JWT_PRIVATE_KEY', { JWT_ALG: 'RS256' }],
    ['JWT_PRIVATE_KEY', { JWT_PRIVATE_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }) }],
    ['JWT_PRIVATE_KEY', { JWT_ALG: 'HS256', JWT_PRIVATE_KEY: JSON.stringify({ kty: 'oct', k: randomBytes(31).toString('base64url'), kid: 'k1' }) }],
    ['JWT_PRIVATE_KEY', { JWT_ALG: 'HS256', JWT_PRIVATE_KEY: JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url') }) }],
    ['JWT_ISSUER', { AUTH_LOCAL_DEV: undefined }],
    ['SESSION_LIMIT_PER_USER', { SESSION_LIMIT_PER_USER: '0' }],
    ['SESSION_LIMIT_PER_USER', { SESSION_LIMIT_PER_USER: '101' }],
    ['REFRESH_TOKEN_PREVIOUS_HASH_KEY', { REFRESH_TOKEN_PREVIOUS_HASH_KEY: 'short' }],
    ['JWT_VERIFICATION_KEYS', { JWT_ALG: 'HS256', JWT_PRIVATE_KEY: JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url'), kid: 'current' }), JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [{ kty: 'oct', K: 'typo', kid: 'next' }] }) }],
    ['JWT_VERIFICATION_KEYS', { JWT_ALG: 'HS256', JWT_PRIVATE_KEY: JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url'), kid: 'current' }), JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [{ kty: 'oct', k: randomBytes(16).toString('base64url'), kid: 'next' }] }) }],
    ['REFRESH_TOKEN_HASH_KEY', { REFRESH_TOKEN_HASH_KEY: undefined }],
    ['REFRESH_TOKEN_HASH_KEY', { REFRESH_TOKEN_HASH_KEY: randomBytes(16).toString('base64url') }],
    ['ACCESS_TOKEN_TTL_SECONDS', { ACCESS_TOKEN_TTL_SECONDS: '15m' }],
    ['ACCESS_TOKEN_TTL_SECONDS', { ACCESS_TOKEN_TTL_SECONDS: '0' }],
    ['REFRESH_TOKEN_TTL_SECONDS', { REFRESH_TOKEN_TTL_SECONDS: '-5' }],
    ['SESSION_MAX_AGE_SECONDS', { SESSION_MAX_AGE_SECONDS: '1.5' }],
    ['REFRESH_REUSE_GRACE_SECONDS', { REFRESH_REUSE_GRACE_SECONDS: 'ten' }],
    ['LOGIN_MAX_FAILURES', { LOGIN_MAX_FAILURES: '0' }],
    ['LOGIN_LOCKOUT_SECONDS', { LOGIN_LOCKOUT_SECONDS: 'x' }],
    ['CLOCK_SKEW_SECONDS', { CLOCK_SKEW_SECONDS: '3600' }],
    ['CORS_ALLOWED_ORIGINS', { CORS_ALLOWED_ORIGINS: '*' }],
    ['CORS_ALLOWED_ORIGINS', { CORS_ALLOWED_ORIGINS: 'https://app.example.com/path' }],
    ['USERS_TABLE', { USERS_TABLE: '' }],
    ['DYNAMODB_ENDPOINT', { DYNAMODB_ENDPOINT: 'not a url' }],
  ])('refuses an invalid %s and names it', async (variable, overrides) => {
    const env = await validEnv(overrides as Env);
    expectConfigError(() => loadAppConfig(env), variable);
  });

  it('refuses an invalid AUTHORIZER_CHECK_SESSION and requires SESSIONS_TABLE when it is on', async () => {
    const yes = await validEnv({ AUTHORIZER_CHECK_SESSION: 'yes' });
    expectConfigError(() => loadAuthorizerConfig(yes), 'AUTHORIZER_CHECK_SESSION');
    const env = await validEnv({ AUTHORIZER_CHECK_SESSION: 'true', SESSIONS_TABLE: '' });
    expectConfigError(() => loadAuthorizerConfig(env), 'SESSIONS_TABLE');
  });

  it('names the stage in the default audience, and needs no issuer default outside local development', async () => {
    const prod = loadAppConfig(await validEnv({ AUTH_LOCAL_DEV: undefined, API_STAGE: 'prod', POWERTOOLS_SERVICE_NAME: 'jwt-auth', JWT_ISSUER: 'https://auth.example.com' }));
    expect(prod).toMatchObject({ audience: 'jwt-auth-prod', issuer: 'https://auth.example.com', local: false });
  });

  it('requires an https APP_BASE_URL outside local development: the page reads a reset token from its fragment', async () => {
    const aws = await validEnv({ AUTH_LOCAL_DEV: undefined, JWT_ISSUER: 'https://auth.example.com', EMAIL_FROM: 'no-reply@example.com' });
    expectConfigError(() => loadEmailConfig({ ...aws, APP_BASE_URL: 'http://app.example.com/account' }), 'APP_BASE_URL');
    expect(loadEmailConfig({ ...aws, APP_BASE_URL: 'https://app.example.com/account' }).appBaseUrl).toBe('https://app.example.com/account');
    expect(loadEmailConfig(await validEnv()).appBaseUrl).toBe('http://localhost:3000/dev/demo');
  });

  it('reads REAUTH_MAX_AGE_SECONDS, 300 by default, and refuses one that is not a positive whole number, naming it', async () => {
    expect(loadReauthPolicy(await validEnv())).toEqual({ maxAgeSeconds: 300 });
    expect(loadReauthPolicy(await validEnv({ REAUTH_MAX_AGE_SECONDS: '60' }))).toEqual({ maxAgeSeconds: 60 });
    const env = await validEnv();
    for (const value of ['0', '-1', 'five', '1.5', '86401']) expectConfigError(() => loadReauthPolicy({ ...env, REAUTH_MAX_AGE_SECONDS: value }), 'REAUTH_MAX_AGE_SECONDS');
  });

  it('parses the CORS allow-list', async () => {
    const config = loadAppConfig(await validEnv({ CORS_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173' }));
    expect(config.corsAllowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
  });

  it('lets a verify-only authorizer run on public keys alone', async () => {
    const { d: _d, ...publicJwk } = await signingJwk('ES256');
    const config = loadAuthorizerConfig({ AUTH_LOCAL_DEV: 'true', JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [publicJwk] }) });
    expect(config.privateJwk).toBeUndefined();
    expect(config.extraVerificationJwks).toHaveLength(1);
    expectConfigError(() => loadAuthorizerConfig({ AUTH_LOCAL_DEV: 'true', JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [{ ...publicJwk, d: 'x' }] }) }), 'JWT_VERIFICATION_KEYS');
  });
});
