'use strict';
// @ts-check
/**
 * The functions' environment, per stage. Locally (`npm start` and the tests set AUTH_LOCAL_DEV)
 * secrets come straight from the environment. On AWS, no secret is put in a Lambda environment
 * variable: the functions get the *names* of SSM SecureString parameters and read them at cold
 * start; the authorizer gets only public keys (a deploy parameter), so it needs no AWS SDK.
 */

const { serviceAndStage } = require('./service.js');
const { tableNames } = require('./tables.js');

// The contract's defaults, from the same file lib/core/config.ts reads.
const CONTRACT_DEFAULTS = require('../lib/core/defaults.json');

const DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS = 300;

/**
 * The SSM parameters that hold a stage's keys (lib/compose reads them at cold start).
 * @param {string} service
 * @param {string} stage
 * @returns {{ privateKey: string, hashKey: string, previousHashKey: string, verificationKeys: string, idTokenKey: string, idTokenPublicKeys: string }}
 */
const parameterNames = (service, stage) => ({
  privateKey: `/${service}/${stage}/jwt-private-key`,
  hashKey: `/${service}/${stage}/refresh-token-hash-key`,
  previousHashKey: `/${service}/${stage}/refresh-token-previous-hash-key`,
  verificationKeys: `/${service}/${stage}/jwt-verification-keys`,
  idTokenKey: `/${service}/${stage}/id-token-private-key`,
  idTokenPublicKeys: `/${service}/${stage}/id-token-public-keys`,
});

/** @param {NodeJS.ProcessEnv} env */
const isLocal = (env = process.env) => env.AUTH_LOCAL_DEV === 'true';

/**
 * For serverless.yml: `${file(./infra/environment.js):environment}`, provider.environment.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<Record<string, string>>}
 */
async function environment({ resolveVariable }) {
  const { service, stage } = await serviceAndStage(resolveVariable);
  const tables = tableNames(service, stage);
  /** @type {Record<string, string>} */
  const env = {};
  for (const [name, fallback] of Object.entries(CONTRACT_DEFAULTS)) env[name] = process.env[name] ?? fallback;
  // Tokens of one stage never pass another stage's check.
  env.JWT_AUDIENCE = process.env.JWT_AUDIENCE ?? `${service}-${stage}`;
  if (isLocal()) env.JWT_ISSUER = process.env.JWT_ISSUER ?? `http://localhost:${process.env.PORT ?? 3000}`;
  else if (process.env.JWT_ISSUER) env.JWT_ISSUER = process.env.JWT_ISSUER;
  else throw new Error(`JWT_ISSUER is required to deploy stage "${stage}": set it to your API's URL (the iss of access tokens); there is no default outside local development`);
  env.API_STAGE = stage;
  env.USERS_TABLE = tables.users;
  env.SESSIONS_TABLE = tables.sessions;
  env.EMAIL_OUTBOX_TABLE = tables.emailOutbox;
  env.AUDIT_TABLE = tables.audit;
  env.CLIENTS_TABLE = tables.clients;
  env.POWERTOOLS_SERVICE_NAME = service;

  for (const name of ['MFA_ISSUER_NAME', 'WEBAUTHN_RP_ID', 'WEBAUTHN_RP_NAME', 'WEBAUTHN_ORIGINS', 'EMAIL_FROM', 'APP_BASE_URL', 'COOKIE_PATH']) {
    if (process.env[name]) env[name] = process.env[name];
  }
  if (!isLocal() && stage !== 'dev') {
    // Links in emails and their sender must be real outside a dev stage: no example.com on production.
    const missing = ['EMAIL_FROM', 'APP_BASE_URL'].filter((name) => !process.env[name]);
    if (missing.length) throw new Error(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required to deploy stage "${stage}": EMAIL_FROM is the verified SES identity that sends the service's emails, APP_BASE_URL the page their links open`);
  }
  if (isLocal()) {
    env.DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? '';
    env.JWT_PRIVATE_KEY = process.env.JWT_PRIVATE_KEY ?? '';
    env.REFRESH_TOKEN_HASH_KEY = process.env.REFRESH_TOKEN_HASH_KEY ?? '';
    env.REFRESH_TOKEN_PREVIOUS_HASH_KEY = process.env.REFRESH_TOKEN_PREVIOUS_HASH_KEY ?? '';
    env.AUTH_LOCAL_DEV = 'true';
    // serverless-offline serves /<stage>/... but leaves the stage out of requestContext.path, from
    // which the cookie's Path is derived on AWS (lib/http/cookie-path.ts).
    env.COOKIE_PATH = process.env.COOKIE_PATH ?? `/${stage}/auth`;
    if (process.env.SES_ENDPOINT) env.SES_ENDPOINT = process.env.SES_ENDPOINT;
    env.PORT = process.env.PORT ?? '3000';
    env.JWT_VERIFICATION_KEYS = process.env.JWT_VERIFICATION_KEYS ?? '';
    env.ID_TOKEN_PRIVATE_KEY = process.env.ID_TOKEN_PRIVATE_KEY ?? '';
    return env;
  }
  const names = parameterNames(service, stage);
  env.JWT_PRIVATE_KEY_PARAMETER = names.privateKey;
  env.REFRESH_TOKEN_HASH_KEY_PARAMETER = names.hashKey;
  // During a hash-key rotation (npm run keys -- --rotate-hash-key), tokens made under the previous key still verify.
  if ((await resolveVariable("param:previousHashKey, 'false'")) === 'true') env.REFRESH_TOKEN_PREVIOUS_HASH_KEY_PARAMETER = names.previousHashKey;
  // Public keys are not secret; resolving them at deploy time keeps the authorizer SDK-free.
  // `--param="verificationKeys=..."` wins; otherwise the String parameter is read at deploy time.
  if (env.JWT_ALG !== 'HS256') {
    env.JWT_VERIFICATION_KEYS = await publicKeySet(resolveVariable, 'verificationKeys', names.verificationKeys, stage, `npm run keys -- --stage ${stage} --apply`);
  }
  return env;
}

/**
 * The public key sets that only some functions get (lib/compose/part.ts PUBLISHED_KEY_SETS), by
 * environment variable; none locally, where the functions derive them from the private keys.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<Record<import('../lib/compose/part').PublishedKeySet, Record<string, string>>>}
 */
async function publishedKeySets({ resolveVariable }) {
  if (isLocal()) return { idTokenPublicKeys: {} };
  const { service, stage } = await serviceAndStage(resolveVariable);
  const names = parameterNames(service, stage);
  // The JWKS publishes the ID-token keys (RS256) whatever JWT_ALG is.
  const idTokenKeys = await publicKeySet(resolveVariable, 'idTokenPublicKeys', names.idTokenPublicKeys, stage, `npm run keys -- --stage ${stage} --rotate-id-token-key --apply`);
  return { idTokenPublicKeys: { ID_TOKEN_PUBLIC_KEYS: idTokenKeys } };
}

/**
 * A public JWK set from `--param="<param>=..."` or, failing that, its SSM String parameter.
 * @param {import('./types').VariableSources['resolveVariable']} resolveVariable
 * @param {string} param
 * @param {string} parameterName
 * @param {string} stage
 * @param {string} command what makes the parameter
 * @returns {Promise<string>}
 */
async function publicKeySet(resolveVariable, param, parameterName, stage, command) {
  try {
    return String(await resolveVariable(`param:${param}, ssm:${parameterName}`));
  } catch (error) {
    // The resolver asks again once other variables are known; only a final failure is ours to explain.
    if (error instanceof Error && 'code' in error && error.code === 'MISSING_VARIABLE_DEPENDENCY') throw error;
    throw new Error(
      `No public keys for stage "${stage}": create the SSM parameter ${parameterName} ` +
        `(${command}) or pass --param="${param}=<JWKS JSON>". ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Which authorizer entry point to deploy: the SDK-free one unless it must read SSM or DynamoDB.
 * @returns {Promise<string>}
 */
async function authorizerHandler() {
  const needsAws = process.env.AUTHORIZER_CHECK_SESSION === 'true' || (!isLocal() && process.env.JWT_ALG === 'HS256');
  return needsAws ? 'handlers/authorizer-session-check.handler' : 'handlers/authorizer.handler';
}

/**
 * API Gateway's authorizer cache TTL: by default 300 s or the access-token lifetime if shorter;
 * an explicit `--param="authorizerCacheTtlSeconds=N"` longer than a token lives is refused.
 * @param {import('./types').VariableSources} sources
 * @returns {Promise<number>}
 */
async function authorizerCacheTtl({ resolveVariable }) {
  const accessTokenTtl = Number(process.env.ACCESS_TOKEN_TTL_SECONDS || CONTRACT_DEFAULTS.ACCESS_TOKEN_TTL_SECONDS);
  const raw = await resolveVariable("param:authorizerCacheTtlSeconds, 'default'");
  if (raw === 'default') return Math.min(DEFAULT_AUTHORIZER_CACHE_TTL_SECONDS, accessTokenTtl);
  const ttl = Number(raw);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new Error('authorizerCacheTtlSeconds must be a whole number from 0 to 3600');
  if (ttl > accessTokenTtl) {
    throw new Error(`authorizerCacheTtlSeconds (${ttl}) must not exceed ACCESS_TOKEN_TTL_SECONDS (${accessTokenTtl}): a cached Allow would outlive the token`);
  }
  return ttl;
}

module.exports = { environment, publishedKeySets, authorizerHandler, authorizerCacheTtl, parameterNames, CONTRACT_DEFAULTS };
