import type { APIGatewayAuthorizerResult, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { systemClock, type Clock } from '../core/clock';
import { loadAuthorizerConfig, type AuthorizerConfig, type Env } from '../core/config';
import { createLogger, parseLogLevel, type Logger } from '../core/logger';
import {
  AccessTokenRejectedError,
  createAccessTokenVerifier,
  type AccessTokenPrincipal,
  type AccessTokenRejection,
  type AccessTokenVerifier,
} from '../tokens/access-token-verifier';
import { importVerificationKeys } from '../tokens/keys';
import { NO_SESSION_CLAIMS, sessionClaimsContext, type SessionClaimsContext } from '../tokens/session-claims';
import { bearerTokenOf, BearerTokenError, type AuthorizerEvent, type BearerRefusal } from './bearer-token';
import { REQUIREMENT_DENIALS, requirementsOf, unmetRequirement, type AuthorizerRequirement, type RequirementDenial } from './requirements';
import { parseMethodArn } from './route-permissions';
import { createRoutePolicies, type RoutePolicies } from './route-policy';

export type { AuthorizerEvent } from './bearer-token';

/**
 * On success the request context carries these: sub, sid and the session claims in their context
 * form (lib/tokens/session-claims.ts: amr space-separated, `auth_time` in epoch seconds or 0).
 * API Gateway hands context values to the handler as strings.
 */
export type AuthorizerContext = { sub: string; sid: string } & SessionClaimsContext & {
  /**
   * With per-route permissions, when the token lacks a permission: the `WWW-Authenticate` value of
   * a refusal (RFC 6750 insufficient_scope), which the ACCESS_DENIED gateway response maps into
   * its header (infra/gateway.js). For a refused request it names that route's permission; for an
   * allowed one, whose cached answer may refuse other routes, every permission the token lacks.
   */
  www_authenticate?: string;
};
export type AuthorizerResult = APIGatewayAuthorizerResult | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/** Why the authorizer refused a request: a closed union, one metric dimension value each. */
export type AuthorizerDenial =
  | AccessTokenRejection
  | BearerRefusal
  /** AUTHORIZER_CHECK_SESSION: the token's session has ended. */
  | 'session_ended'
  /** AUTHORIZER_CHECK_SESSION: the session store could not answer; refused, never allowed. */
  | 'session_check_failed'
  /** A bug or an event API Gateway would never send; logged as an error. */
  | 'internal_error'
  /** A valid token that fails one of the authorizer's requirements (requirements.ts): 403, not 401. */
  | RequirementDenial;

export type AuthorizerDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: AuthorizerDenial };

/** Optional extra check that the token's session is still live (AUTHORIZER_CHECK_SESSION). */
export type SessionLivenessCheck = (principal: AccessTokenPrincipal) => Promise<boolean>;

export interface AuthorizerDeps {
  readonly verify: AccessTokenVerifier;
  readonly isSessionLive?: SessionLivenessCheck | undefined;
  readonly logger: Logger;
  /** What every allowed token must meet beyond being valid (requirements.ts); none by default. */
  readonly requirements?: readonly AuthorizerRequirement[] | undefined;
  /** Per-route permissions (route-policy.ts); undefined: every valid token may call the whole API. */
  readonly routes?: RoutePolicies | undefined;
  /** Told every decision (metrics); the decision objects are shared constants, and a throw is logged, not fatal. */
  readonly onDecision?: ((decision: AuthorizerDecision) => void) | undefined;
}

const ALLOWED: AuthorizerDecision = Object.freeze({ allowed: true });
const denials = new Map<AuthorizerDenial, AuthorizerDecision>();
const denied = (reason: AuthorizerDenial): AuthorizerDecision => {
  let decision = denials.get(reason);
  if (!decision) denials.set(reason, (decision = Object.freeze({ allowed: false, reason })));
  return decision;
};
const HTTP_API_DENIED = Object.freeze({ isAuthorized: false, context: Object.freeze({ sub: '', sid: '', ...sessionClaimsContext(NO_SESSION_CLAIMS) }) });

/**
 * One handler for REST API TOKEN and REQUEST authorizers (IAM policy) and HTTP API v2 REQUEST
 * authorizers (simple response). Every refusal on a REST API is exactly `Error('Unauthorized')`,
 * which API Gateway turns into a 401; anything else would become a 500.
 *
 * `ready` gives the dependencies: the composition's part (lib/compose/part.ts), built at cold
 * start and, when that failed, built again after its backoff.
 */
export function createAuthorizerHandler(ready: () => Promise<AuthorizerDeps>) {
  // The same dependencies once built: a warm invocation reads them without awaiting a promise.
  let built: AuthorizerDeps | undefined;
  const start = () => {
    const attempt = ready();
    attempt.then((deps) => void (built = deps), () => undefined);
    return attempt;
  };
  start();
  // Every event of a REST API carries a methodArn of the same API and stage: the policy of the last
  // one is reused (a derived constant, never a per-token result).
  let lastMethodArn: unknown;
  let lastAllowPolicy: AllowPolicy | undefined;
  const allowPolicyFor = (methodArn: unknown): AllowPolicy | undefined => {
    if (methodArn === lastMethodArn && lastAllowPolicy) return lastAllowPolicy;
    const resource = wholeApiArn(methodArn);
    if (resource === undefined) return undefined;
    lastMethodArn = methodArn;
    return (lastAllowPolicy = allowPolicy(resource));
  };
  return async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    const deps: AuthorizerDeps = built ?? (await start());
    const isHttpApi = 'version' in event && event.version === '2.0';
    const policy = isHttpApi ? undefined : allowPolicyFor((event as { methodArn?: unknown }).methodArn);
    const checked = !isHttpApi && policy === undefined ? invalidEvent(deps.logger) : verifyBearer(event, deps);
    const outcome = typeof checked === 'string' || !deps.isSessionLive ? checked : await checkSession(checked, deps.isSessionLive, deps.logger);
    if (typeof outcome === 'string') {
      // The reason names a check, never the token.
      deps.logger.debug('authorization refused', { reason: outcome });
      report(deps, denied(outcome));
      if (isHttpApi) return HTTP_API_DENIED;
      // A Deny policy is API Gateway's 403 access_denied: the caller is known, the login too weak.
      if (REQUIREMENT_DENIALS.has(outcome)) return denyPolicy(policy!.resource, outcome);
      throw new Error('Unauthorized');
    }
    const context: AuthorizerContext = { sub: outcome.sub, sid: outcome.sid, ...sessionClaimsContext(outcome) };
    const { routes } = deps;
    // With per-route permissions: why this request's own route is refused, if it is.
    let refusal: string | undefined;
    let document = policy?.document;
    if (routes && isHttpApi) {
      // A simple response cannot list routes: the request's own route decides (the README says to
      // key the cache by route or switch it off).
      refusal = routes.httpApiRefusal((event as { routeKey?: unknown }).routeKey, outcome);
    } else if (routes) {
      // The same answer whichever route asks (the cache serves it to all): only the decision
      // reported and the WWW-Authenticate value depend on this request's route.
      const site = routes.siteOf((event as { methodArn?: unknown }).methodArn)!;
      const routePolicy = site.policyFor(outcome);
      document = routePolicy.document;
      refusal = routePolicy.refusals.at(site.route);
      if (routePolicy.missing !== undefined) context.www_authenticate = routePolicy.missing;
    }
    report(deps, refusal === undefined ? ALLOWED : denied('insufficient_scope'));
    if (refusal !== undefined) context.www_authenticate = refusal;
    if (isHttpApi) return refusal === undefined ? { isAuthorized: true, context } : HTTP_API_DENIED;
    return { principalId: outcome.sub, policyDocument: document!, context };
  };
}

interface AllowPolicy {
  readonly resource: string;
  readonly document: APIGatewayAuthorizerResult['policyDocument'];
}

/** Built once per API and stage, frozen: results share it. */
function allowPolicy(resource: string): AllowPolicy {
  const statement = Object.freeze({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource });
  return { resource, document: Object.freeze({ Version: '2012-10-17', Statement: Object.freeze([statement]) }) as APIGatewayAuthorizerResult['policyDocument'] };
}

/**
 * The principal of the request's bearer token, or why it is refused; synchronous, so a stateless
 * authorizer awaits nothing per request. A TOKEN event's `Bearer <token>` is verified first as it
 * stands; only a value the verifier finds malformed goes through bearerTokenOf, whose refusals
 * (no_bearer, multiple_authorization) take precedence exactly as before.
 */
function verifyBearer(event: AuthorizerEvent, { verify, logger, requirements }: AuthorizerDeps): AccessTokenPrincipal | AuthorizerDenial {
  let principal: AccessTokenPrincipal | undefined;
  try {
    const candidate = plainBearerOf(event);
    if (candidate !== undefined) principal = verifyUnlessMalformed(verify, candidate);
    principal ??= verify(bearerTokenOf(event));
  } catch (error) {
    if (error instanceof AccessTokenRejectedError || error instanceof BearerTokenError) return error.code;
    logger.error('authorizer failed', { error });
    return 'internal_error';
  }
  return (requirements && unmetRequirement(principal, requirements)) ?? principal;
}

/**
 * `authorizationToken` after an exact `Bearer ` prefix, unchecked. When the verifier accepts it
 * (or refuses it for anything but its form), it is a compact JWS, which holds no white space or
 * comma, so bearerTokenOf would have returned the same string.
 */
function plainBearerOf(event: AuthorizerEvent): string | undefined {
  if (event.type !== 'TOKEN') return undefined;
  const value: unknown = event.authorizationToken;
  return typeof value === 'string' && value.startsWith('Bearer ') && value.charCodeAt(7) !== 0x20 ? value.slice(7) : undefined;
}

function verifyUnlessMalformed(verify: AccessTokenVerifier, token: string): AccessTokenPrincipal | undefined {
  try {
    return verify(token);
  } catch (error) {
    if (error instanceof AccessTokenRejectedError && error.code === 'malformed') return undefined;
    throw error;
  }
}

async function checkSession(principal: AccessTokenPrincipal, isSessionLive: SessionLivenessCheck, logger: Logger): Promise<AccessTokenPrincipal | AuthorizerDenial> {
  try {
    return (await isSessionLive(principal)) ? principal : 'session_ended';
  } catch (error) {
    logger.error('session check failed', { error });
    return 'session_check_failed';
  }
}

/**
 * An explicit Deny: API Gateway answers 403 (the ACCESS_DENIED gateway response), whose
 * WWW-Authenticate header is the context's www_authenticate: RFC 9470's step-up error for a login
 * without the required method.
 */
function denyPolicy(resource: string, denial: AuthorizerDenial): APIGatewayAuthorizerResult {
  return {
    principalId: denial,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: resource }] },
    // The only authorizer-wide requirement is the amr of the MFA authorizer.
    context: { www_authenticate: 'Bearer error="insufficient_user_authentication"' },
  };
}

function invalidEvent(logger: Logger): AuthorizerDenial {
  logger.error('authorizer event has no methodArn it can scope');
  return 'internal_error';
}

function report({ onDecision, logger }: AuthorizerDeps, decision: AuthorizerDecision): void {
  if (!onDecision) return;
  try {
    onDecision(decision);
  } catch (error) {
    logger.error('authorizer decision hook failed', { error });
  }
}

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path}` becomes
 * `.../{apiId}/{stage}/*\/*`, so API Gateway's cached decision serves every route of the API;
 * undefined when the value is no such ARN.
 */
export function wholeApiArn(methodArn: unknown): string | undefined {
  const parsed = parseMethodArn(methodArn);
  return parsed && `${parsed.prefix}/*/*`;
}

export interface AuthorizerDepsOptions {
  readonly clock?: Clock;
  /** Given by the entry point that checks sessions, so the stateless bundle holds no DynamoDB client. */
  readonly sessionCheck?: (config: AuthorizerConfig, clock: Clock) => SessionLivenessCheck;
  readonly onDecision?: (decision: AuthorizerDecision) => void;
}

/** Builds the authorizer's dependencies at cold start: configuration, keys, verifier, logger. */
export async function createAuthorizerDeps(env: Env, options: AuthorizerDepsOptions = {}): Promise<AuthorizerDeps> {
  const config = loadAuthorizerConfig(env);
  const clock = options.clock ?? systemClock;
  if (config.checkSession && !options.sessionCheck) {
    // serverless.yml deploys the session-checking one when AUTHORIZER_CHECK_SESSION=true.
    throw new Error('Invalid configuration: AUTHORIZER_CHECK_SESSION is true, but this is the stateless authorizer; deploy handlers/authorizer-session-check.handler');
  }
  const { algorithm, keys } = importVerificationKeys(config);
  const requirements = requirementsOf(config);
  return {
    verify: createAccessTokenVerifier({
      algorithm,
      keys,
      issuer: config.issuer,
      audience: config.audience,
      maxTokenAgeSeconds: config.accessTokenTtlSeconds,
      clockSkewSeconds: config.clockSkewSeconds,
      clock,
    }),
    isSessionLive: config.checkSession ? options.sessionCheck?.(config, clock) : undefined,
    requirements,
    routes: createRoutePolicies(config.routes, requirements),
    logger: createLogger(parseLogLevel(env.LOG_LEVEL)),
    onDecision: options.onDecision,
  };
}
