import { ConfigError } from './errors';
import { readOrigins, readString, type Env } from './settings';

/** What every function knows about where it runs. */
export interface ServiceConfig {
  readonly service: string;
  readonly stage: string;
  /** `npm start` and the tests: secrets and defaults that would be unsafe on AWS are allowed. */
  readonly local: boolean;
  readonly logLevel: string | undefined;
  readonly corsAllowedOrigins: readonly string[];
  /** COOKIE_PATH: the refresh cookie's Path; unset, it is derived from each request (lib/http/cookie-path.ts). */
  readonly cookiePath: string | undefined;
}

const DEFAULT_SERVICE_NAME = 'jwt-auth';

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

/** What a cookie's Path may hold here: absolute, and no white space, control character, `;` or `,` (RFC 6265 path-value, narrowed). */
export const COOKIE_PATH_PATTERN = /^\/[\x21-\x2B\x2D-\x3A\x3C-\x7E]*$/;

function readOptionalCookiePath(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (!COOKIE_PATH_PATTERN.test(value)) throw new ConfigError(name, 'must be an absolute path such as /auth, without spaces, ";" or ","');
  return value;
}
