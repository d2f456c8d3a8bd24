/**
 * Per-function composition, the core: configuration of the running function, its logger and
 * clock, lazy parts and the HTTP handler wrapper. Each handler asks for the parts it uses from
 * the small builder modules beside this one (storage, tokens, accounts...), so a function's
 * bundle holds only the clients it uses, and only then are its secrets read; each function's IAM
 * role (infra/iam.js) allows exactly the parameters its parts read.
 *
 * A part that fails to build (a throttled SSM read) is not cached: a later invocation builds it
 * again, after a short backoff so a failing dependency is not hammered.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createLambdaLogger } from '../aws/lambda-logger';
import { resolveSecrets, type SecretVariable } from '../aws/secrets';
import { systemClock, type Clock } from '../core/clock';
import type { EmailPolicy } from '../core/email-address';
import { loadServiceConfig, readEnvironment, type Env } from '../core/config';
import { invocationDeadline, withDeadline } from '../core/deadline';
import { ConfigError, ServiceUnavailableError } from '../core/errors';
import { parseLogLevel, type Logger } from '../core/logger';
import { createPowertoolsMetrics, type MetricsRecorder } from '../metrics/metrics';
import { metricsNamespace } from '../metrics/names';
import { countingSecurityEvents } from '../metrics/security-metrics';
import { corsHeaders, errorToResponse, toApiGatewayResult, toHttpRequest, type ErrorMapper, type HttpRequest, type HttpResponse } from '../http/http';
import { refreshCookiePath } from '../http/cookie-path';

/** The environment of this function; only the config loaders look inside it. */
export const env: Env = readEnvironment();
const service = loadServiceConfig(env);

export const clock: Clock = systemClock;

/** How emails are read: `a@localhost` only in local development. */
export const emailPolicy: EmailPolicy = Object.freeze({ allowDotlessDomain: service.local });

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/**
 * A part built on first use and kept; a failed build is forgotten, and calls within the backoff
 * after a failure get that failure at once instead of trying again.
 */
export function lazy<T>(build: () => Promise<T> | T, now: () => number = () => clock.now()): () => Promise<T> {
  let built: Promise<T> | undefined;
  let failure: { error: unknown; retryAt: number; backoff: number } | undefined;
  return () => {
    if (built) return built;
    if (failure && now() < failure.retryAt) return Promise.reject(failure.error);
    const attempt = Promise.resolve().then(build);
    built = attempt;
    attempt.then(
      () => (failure = undefined),
      (error: unknown) => {
        built = undefined;
        const backoff = failure ? Math.min(failure.backoff * 2, MAX_BACKOFF_MS) : FIRST_BACKOFF_MS;
        failure = { error, retryAt: now() + backoff, backoff };
      },
    );
    return attempt;
  };
}

/** The environment with these secrets filled in (from SSM on AWS). */
export const secrets = (...names: SecretVariable[]): Promise<Env> => resolveSecrets(env, undefined, names);

/** CloudWatch metrics as EMF lines on stdout (no API call), flushed at the end of every invocation. */
export const metrics = /* @__PURE__ */ lazySync((): MetricsRecorder => createPowertoolsMetrics({ namespace: metricsNamespace(service.service, service.stage), service: service.service }));

/** Counts a session event (SessionRevoked...) in the functions that end sessions. */
export const countSessionEvent = (name: 'LoginSucceeded' | 'RefreshSucceeded' | 'SessionRevoked'): void => metrics().count(name);

/** Structured logs; a security event is also counted as its metric. */
export const logger = /* @__PURE__ */ lazySync(() =>
  countingSecurityEvents(createLambdaLogger(parseLogLevel(service.logLevel), service.service), (name) => metrics().count(name)),
);

/** What a route gets besides the request and its parts. */
export interface RouteContext {
  readonly logger: Logger;
  /**
   * Epoch ms by which the work must be done (the Lambda's deadline less a margin). Every AWS call
   * of the invocation already keeps to it (lib/core/deadline.ts); a route reads it to stop a long
   * loop in time (logout-all).
   */
  readonly deadline: number | undefined;
}

export type Route<Parts> = (request: HttpRequest, parts: Parts, context: RouteContext) => Promise<HttpResponse>;

export interface RouteOptions {
  /** How the route answers errors: JSON `{ error, message }` by default (`/auth/*`), or oauthErrors / htmlErrors (lib/http). */
  readonly errors?: ErrorMapper;
}

/** Time kept after the deadline to map the outcome to a response and flush metrics. */
export const DEADLINE_MARGIN_MS = 1_000;

/**
 * Wraps a route into a Lambda handler. Its parts start building at cold start; a missing or
 * invalid setting fails the invocation with a message naming it, a transient failure answers
 * 503 and is retried by the next invocation. Every error goes through the route's one mapper. The whole
 * invocation runs under its deadline, so no AWS call outlives it.
 */
export function httpHandler<Parts>(parts: () => Promise<Parts>, route: Route<Parts>, { errors = errorToResponse }: RouteOptions = {}) {
  parts().catch(() => undefined);
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const baseLogger = logger();
    if (context) baseLogger.addContext(context);
    const request = toHttpRequest(event);
    const requestLogger = baseLogger.child({ requestId: request.requestId });
    const deadline = context ? invocationDeadline(context, DEADLINE_MARGIN_MS) : undefined;
    const run = async (): Promise<HttpResponse> => {
      const ready = await parts().catch((error: unknown) => {
        if (error instanceof ConfigError) throw error;
        throw new ServiceUnavailableError({ cause: error });
      });
      return route(request, ready, { logger: requestLogger, deadline });
    };
    let response: HttpResponse;
    try {
      response = await (deadline === undefined ? run() : withDeadline(deadline, run));
    } catch (error) {
      if (error instanceof ConfigError) {
        requestLogger.error('invalid configuration', { error: error.message });
        throw error;
      }
      response = errors(error, requestLogger);
    } finally {
      metrics().flush();
    }
    return toApiGatewayResult(response, corsHeaders(request.origin, service.corsAllowedOrigins));
  };
}

/**
 * Wraps a job run on a schedule (EventBridge; serverless-offline runs it too) into a Lambda
 * handler: the same parts, logger, deadline and metrics as an HTTP route. A failure fails the
 * invocation (the function's Errors metric and alarm); the next run tries again.
 */
export function scheduledHandler<Parts>(parts: () => Promise<Parts>, job: (parts: Parts, context: RouteContext) => Promise<void>) {
  return async (_event: unknown, context?: Context): Promise<void> => {
    const baseLogger = logger();
    if (context) baseLogger.addContext(context);
    const deadline = context ? invocationDeadline(context, DEADLINE_MARGIN_MS) : undefined;
    const run = async () => job(await parts(), { logger: baseLogger, deadline });
    try {
      await (deadline === undefined ? run() : withDeadline(deadline, run));
    } catch (error) {
      baseLogger.error('scheduled job failed', { error });
      throw error;
    } finally {
      metrics().flush();
    }
  };
}

/** Composes named parts into one: `parts({ sessions: sessionIssuer, users: userStore })`. */
export function parts<Shape extends Record<string, () => Promise<unknown>>>(shape: Shape): () => Promise<{ [K in keyof Shape]: Awaited<ReturnType<Shape[K]>> }> {
  return lazy(async () => {
    const entries = await Promise.all(Object.entries(shape).map(async ([name, part]) => [name, await part()] as const));
    return Object.fromEntries(entries) as { [K in keyof Shape]: Awaited<ReturnType<Shape[K]>> };
  });
}

export function lazySync<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  return () => (value ??= { built: build() }).built;
}

export const allowedOrigins = (): readonly string[] => service.corsAllowedOrigins;

/** The refresh cookie's Path for this request (COOKIE_PATH, or derived from the request's URL). */
export const cookiePathFor = (request: HttpRequest): string => refreshCookiePath(request, service.cookiePath);
