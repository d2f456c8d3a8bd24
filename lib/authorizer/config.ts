import { ConfigError } from '../core/errors';
import { readBoolean, readOptionalUrl, readRequired, type Env } from '../core/settings';
import { loadTokenConfig, type TokenConfig } from '../tokens/config';
import { mergeRouteRules, parseRoutePermissions, type RouteRule } from './route-permissions';

export interface AuthorizerConfig extends TokenConfig {
  readonly checkSession: boolean;
  /** AUTHORIZER_REQUIRED_AMR: the authorizer refuses (403) a token whose `amr` lacks this method. */
  readonly requiredAmr: string | undefined;
  /**
   * The routes the authorizer knows and the permission each needs: this service's protected routes
   * (AUTHORIZER_SERVICE_ROUTES, generated from the declarations by infra/functions.js) and other
   * APIs' (AUTHORIZER_ROUTE_PERMISSIONS, a deploy parameter). Empty: no per-route policy.
   */
  readonly routes: readonly RouteRule[];
  readonly sessionsTable: string | undefined;
  readonly dynamoDbEndpoint: string | undefined;
}

const OTHERS = 'AUTHORIZER_ROUTE_PERMISSIONS';

export function loadAuthorizerConfig(env: Env): AuthorizerConfig {
  const checkSession = readBoolean(env, 'AUTHORIZER_CHECK_SESSION');
  // The authorizer verifies with public keys only, unless the algorithm is symmetric.
  const token = loadTokenConfig(env, { requirePrivateKey: false });
  return Object.freeze({
    ...token,
    checkSession,
    requiredAmr: readOptionalAmr(env, 'AUTHORIZER_REQUIRED_AMR'),
    routes: Object.freeze(mergeRouteRules(parseRoutePermissions(env.AUTHORIZER_SERVICE_ROUTES, 'AUTHORIZER_SERVICE_ROUTES'), parseRoutePermissions(env[OTHERS], OTHERS), OTHERS)),
    sessionsTable: checkSession ? readRequired(env, 'SESSIONS_TABLE') : undefined,
    dynamoDbEndpoint: readOptionalUrl(env, 'DYNAMODB_ENDPOINT'),
  });
}

function readOptionalAmr(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^[a-z]{2,32}$/.test(raw)) throw new ConfigError(name, `must be one RFC 8176 method such as "mfa", got "${raw}"`);
  return raw;
}
