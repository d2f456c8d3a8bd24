import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import type { JwtAlgorithm } from '../lib/core/config';
import { tableNames } from '../infra/tables.js';
import { LOCAL_AWS_ENV, SERVICE_NAME } from '../scripts/dev/dynamodb-local';
import { generateHashKey, generateSigningJwk } from '../scripts/dev/keys';

export const ROOT = join(__dirname, '..');
export const STAGE = 'dev';
export const ALGORITHMS: readonly JwtAlgorithm[] = ['ES256', 'EdDSA', 'RS256', 'HS256'];

export type ServiceEnv = Record<string, string>;

/**
 * A complete environment for the functions, as serverless.yml would set it for stage dev, with a
 * fresh signing key. The tables are the stage's; DYNAMODB_ENDPOINT is added where one runs.
 */
export async function serviceEnv(algorithm: JwtAlgorithm, overrides: ServiceEnv = {}): Promise<ServiceEnv> {
  const tables = tableNames(SERVICE_NAME, STAGE);
  return {
    ...LOCAL_AWS_ENV,
    API_STAGE: STAGE,
    USERS_TABLE: tables.users,
    SESSIONS_TABLE: tables.sessions,
    EMAIL_OUTBOX_TABLE: tables.emailOutbox,
    AUDIT_TABLE: tables.audit,
    CLIENTS_TABLE: tables.clients,
    JWT_ALG: algorithm,
    JWT_PRIVATE_KEY: JSON.stringify(await generateSigningJwk(algorithm)),
    REFRESH_TOKEN_HASH_KEY: generateHashKey(),
    JWT_ISSUER: 'http://localhost:3000',
    JWT_AUDIENCE: SERVICE_NAME,
    // The account, MFA and passkey functions refuse to start without these outside local development.
    EMAIL_FROM: 'no-reply@bench.example.com',
    // As deployed: outside local development the links in emails must open an https page.
    APP_BASE_URL: 'https://app.bench.example.com/demo',
    WEBAUTHN_RP_ID: 'localhost',
    WEBAUTHN_ORIGINS: 'http://localhost:3000',
    AUTHORIZER_CHECK_SESSION: 'false',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

/** The environment of a child process: PATH and the given variables, nothing inherited that could change timings (NODE_OPTIONS...). */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.HOME ? { HOME: process.env.HOME } : {}), ...extra };
}

export { freePort } from '../scripts/dev/ports';

export interface MachineDescription {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly loadAverage: readonly number[];
}

export function describeMachine(): MachineDescription {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()} ${process.arch}`,
    node: process.version,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** A JWK set with the public part of a private JWK, as the authorizer is deployed with (JWT_VERIFICATION_KEYS). */
export function publicJwks(privateJwkJson: string): string {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, key_ops: _ops, ext: _ext, ...publicJwk } = JSON.parse(privateJwkJson) as Record<string, unknown>;
  return JSON.stringify({ keys: [{ ...publicJwk, use: 'sig' }] });
}

/**
 * The environment of the stateless authorizer as deployed: public keys only (JWT_VERIFICATION_KEYS),
 * no private key. HS256 has no public key: its secret stays in JWT_PRIVATE_KEY.
 */
export function authorizerEnv(env: ServiceEnv): ServiceEnv {
  if (env.JWT_ALG === 'HS256') return env;
  const { JWT_PRIVATE_KEY: privateKey, REFRESH_TOKEN_HASH_KEY: _hashKey, ...rest } = env;
  return { ...rest, JWT_VERIFICATION_KEYS: publicJwks(privateKey!) };
}
