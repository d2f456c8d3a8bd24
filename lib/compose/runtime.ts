/**
 * The HTTP and scheduled handler wrappers of the production functions: a handler gives its
 * declaration (handlers/<name>.function.ts) and its route; the declared parts are built by the
 * container's composition (lib/compose/production.ts) at cold start, and a part that fails to
 * build is retried after a backoff (lib/compose/part.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isAuditTrail, openAuditScope, withAuditScope } from '../audit/audit-trail';
import type { Clock } from '../core/clock';
import type { EmailPolicy } from '../core/email-address';
import { loadServiceConfig } from '../core/config';
import { invocationDeadline, withDeadline } from '../core/deadline';
import { ConfigError, ServiceUnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import { corsHeaders, errorToResponse, toApiGatewayResult, toHttpRequest, type ErrorMapper, type HttpRequest, type HttpResponse } from '../http/http';
import { refreshCookiePath } from '../http/cookie-path';
import type { FunctionDeclaration } from './declaration';
import { logger as loggerPart, metrics as metricsPart } from './observability';
import type { Part, PartsOf } from './part';
import { root } from './production';

export { lazy } from './part';

const service = loadServiceConfig(root.env);

export const clock: Clock = root.clock;

/** How emails are read: `a@localhost` only in local development. */
export const emailPolicy: EmailPolicy = Object.freeze({ allowDotlessDomain: service.local });

// Built without I/O, so at once: every invocation logs and flushes metrics, even when its parts fail.
let observability: { logger: Awaited<ReturnType<typeof loggerPart.build>>; metrics: Awaited<ReturnType<typeof metricsPart.build>> } | undefined;
void Promise.all([root.get(loggerPart), root.get(metricsPart)]).then(([logger, metrics]) => (observability = { logger, metrics }));
const ready = async () => {
  if (observability) return observability;
  const [logger, metrics] = await Promise.all([root.get(loggerPart), root.get(metricsPart)]);
  return (observability = { logger, metrics });
};

/** Counts a session event (SessionRevoked...) in the functions that end sessions. */
export const countSessionEvent = (name: 'LoginSucceeded' | 'RefreshSucceeded' | 'SessionRevoked'): void => observability?.metrics.count(name);

type Shape = Record<string, Part<unknown>>;
/** A declaration, or (in unit tests) a function that builds the parts. */
type PartsSource<S extends Shape, P> = FunctionDeclaration<S> | (() => Promise<P>);
const partsOf = <S extends Shape, P>(source: PartsSource<S, P>): (() => Promise<P>) =>
  typeof source === 'function' ? source : (root.parts(source.parts) as unknown as () => Promise<P>);

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
export function httpHandler<S extends Shape, Parts = PartsOf<S>>(source: PartsSource<S, Parts>, route: Route<Parts>, { errors = errorToResponse }: RouteOptions = {}) {
  const parts = partsOf(source);
  parts().catch(() => undefined);
  return async (event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> => {
    const { logger: baseLogger, metrics } = await ready();
    if (context) baseLogger.addContext(context);
    const request = toHttpRequest(event);
    const requestLogger = baseLogger.child({ requestId: request.requestId });
    const deadline = context ? invocationDeadline(context, DEADLINE_MARGIN_MS) : undefined;
    const run = async (): Promise<HttpResponse> => {
      const ready = await parts().catch((error: unknown) => {
        if (error instanceof ConfigError) throw error;
        throw new ServiceUnavailableError({ cause: error });
      });
      // Security events of this request go to the audit trail, if the function declares one
      // (lib/audit/audit-trail.ts); the answer waits for their bounded writes, error or not.
      const audit = openAuditScope({
        trail: Object.values(ready as Record<string, unknown>).find(isAuditTrail),
        origin: { ip: request.ip, userAgent: request.userAgent, sessionId: request.principal?.sid },
        logger: requestLogger,
        countMiss: () => metrics.count('AuditWriteFailed'),
      });
      try {
        return await withAuditScope(audit, () => route(request, ready, { logger: requestLogger, deadline }));
      } finally {
        await audit.settle();
      }
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
      metrics.flush();
    }
    return toApiGatewayResult(response, corsHeaders(request.origin, service.corsAllowedOrigins));
  };
}

/**
 * Wraps a job run on a schedule (EventBridge; serverless-offline runs it too) into a Lambda
 * handler: the same parts, logger, deadline and metrics as an HTTP route. A failure fails the
 * invocation (the function's Errors metric and alarm); the next run tries again.
 */
export function scheduledHandler<S extends Shape, Parts = PartsOf<S>>(source: PartsSource<S, Parts>, job: (parts: Parts, context: RouteContext) => Promise<void>) {
  const parts = partsOf(source);
  return async (_event: unknown, context?: Context): Promise<void> => {
    const { logger: baseLogger, metrics } = await ready();
    if (context) baseLogger.addContext(context);
    const deadline = context ? invocationDeadline(context, DEADLINE_MARGIN_MS) : undefined;
    const run = async () => job(await parts(), { logger: baseLogger, deadline });
    try {
      await (deadline === undefined ? run() : withDeadline(deadline, run));
    } catch (error) {
      baseLogger.error('scheduled job failed', { error });
      throw error;
    } finally {
      metrics.flush();
    }
  };
}

export const allowedOrigins = (): readonly string[] => service.corsAllowedOrigins;

/** The refresh cookie's Path for this request (COOKIE_PATH, or derived from the request's URL). */
export const cookiePathFor = (request: HttpRequest): string => refreshCookiePath(request, service.cookiePath);

/** The parts a declaration builds apart (`apart`), as one lazily built value. */
export const partsApart = <S extends Shape>(declaration: { readonly apart?: S }): (() => Promise<PartsOf<S>>) => root.parts(declaration.apart ?? ({} as S));
