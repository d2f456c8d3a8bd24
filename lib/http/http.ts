import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { AppError, InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../core/errors';
import type { Logger } from '../core/logger';
import { sessionClaimsFromContext, type SessionClaims } from '../tokens/session-claims';
import { setCookieHeaders } from './cookies';

export const MAX_BODY_BYTES = 16 * 1024;

/** The parts of an API Gateway REST event that the handlers use, with header names lower-cased. */
export interface HttpRequest {
  /** GET, POST... as sent (upper case). */
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly stage: string;
  /**
   * What the URL holds before the route: `/<stage>` on the execute-api URL, the base path behind
   * a custom domain (`/v1`), or nothing behind a custom domain without one. API Gateway keeps it
   * in `requestContext.path`; the route (`resource`) is the rest.
   */
  readonly basePath: string;
  readonly requestId: string;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  readonly origin: string | undefined;
  /** Set by the Lambda authorizer on protected routes. */
  readonly principal: Principal | undefined;
  /** The query, one value per name (the last, as API Gateway keeps it). */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The query with every value of a repeated name, in order; lib/http/form.ts refuses repeats where OAuth does. */
  readonly multiValueQuery: Readonly<Record<string, readonly string[]>>;
}

/**
 * The caller of a protected route, as the authorizer described it: the token's subject and
 * session, and the session's claims (lib/tokens/session-claims.ts; `authTime` in epoch seconds,
 * undefined when the token has none).
 */
export type Principal = SessionClaims & {
  readonly sub: string;
  readonly sid: string;
};

export interface HttpResponse {
  readonly status: number;
  /** A JSON body, the default. */
  readonly body?: unknown;
  /** A body that is not JSON (an HTML page: lib/http/html.ts), sent as it is with its own Content-Type. */
  readonly text?: { readonly contentType: string; readonly content: string };
  readonly headers?: Record<string, string>;
  /** Set-Cookie values (lib/http/cookies.ts), sent as multiValueHeaders. */
  readonly cookies?: string[];
}

/** Turns a route's error into its response: JSON (errorToResponse, the default), OAuth's shape or an HTML page. */
export type ErrorMapper = (error: unknown, logger: Logger) => HttpResponse;

export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const body = bodyText(event);
  const authorizer = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  return {
    headers,
    body,
    pathParameters: event.pathParameters ?? {},
    stage: event.requestContext?.stage ?? 'dev',
    basePath: basePathOf(event),
    requestId: event.requestContext?.requestId ?? '',
    ip: event.requestContext?.identity?.sourceIp ?? undefined,
    userAgent: headers['user-agent'],
    origin: headers.origin,
    method: (event.httpMethod ?? event.requestContext?.httpMethod ?? 'GET').toUpperCase(),
    query: event.queryStringParameters ?? {},
    multiValueQuery: multiValueQueryOf(event),
    principal:
      typeof authorizer?.sub === 'string' && typeof authorizer.sid === 'string'
        ? { sub: authorizer.sub, sid: authorizer.sid, ...sessionClaimsFromContext(authorizer) }
        : undefined,
  };
}

/** serverless-offline and API Gateway fill both query fields; a hand-made event may have only the single-valued one. */
function multiValueQueryOf(event: APIGatewayProxyEvent): Record<string, readonly string[]> {
  const query: Record<string, readonly string[]> = {};
  if (event.multiValueQueryStringParameters) {
    for (const [name, values] of Object.entries(event.multiValueQueryStringParameters)) if (values) query[name] = values;
    return query;
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query[name] = [value];
  return query;
}

/**
 * `requestContext.path` less as many trailing segments as the route (`resource`) has: the stage
 * on the execute-api URL, the base path (or nothing) behind a custom domain. Without those
 * fields (a hand-made event), the stage.
 */
function basePathOf(event: APIGatewayProxyEvent): string {
  const full = event.requestContext?.path;
  const route = event.resource;
  if (typeof full !== 'string' || typeof route !== 'string') return `/${event.requestContext?.stage ?? 'dev'}`;
  const segments = full.split('/').filter(Boolean);
  const prefix = segments.slice(0, Math.max(0, segments.length - route.split('/').filter(Boolean).length));
  return prefix.map((segment) => `/${segment}`).join('');
}

/**
 * The body as text. API Gateway always sends a string; serverless-offline hands over a JSON body
 * of `0` or `false` already parsed, so anything else is turned back into its JSON text.
 */
function bodyText(event: APIGatewayProxyEvent): string | undefined {
  const raw: unknown = event.body;
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== 'string') return JSON.stringify(raw);
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

/**
 * Parses a JSON body: 413 over 16 KiB, 415 for anything but application/json, 400 for bad JSON.
 * An empty body is `undefined`; the schema decides whether that is acceptable.
 */
export function readJsonBody(request: HttpRequest): unknown {
  const { body } = request;
  if (body === undefined || body === '') return undefined;
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError();
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidRequestError('The request body is not valid JSON.');
  }
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}, cookies?: string[]): HttpResponse => ({
  status,
  body,
  headers,
  ...(cookies ? { cookies } : {}),
});

export const noContent = (cookies?: string[]): HttpResponse => ({ status: 204, ...(cookies ? { cookies } : {}) });

/**
 * CORS for allowed origins only (never a reflected arbitrary origin), with credentials for cookies.
 * A foreign origin is answered with the first allowed one, as API Gateway's preflight does; the
 * explicit header also stops serverless-offline from reflecting any origin locally.
 */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (origin && allowedOrigins.includes(origin)) {
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
  }
  if (origin && allowedOrigins.length > 0) return { 'Access-Control-Allow-Origin': allowedOrigins[0]!, Vary: 'Origin' };
  return { Vary: 'Origin' };
}

export function toApiGatewayResult(response: HttpResponse, extraHeaders: Record<string, string>): APIGatewayProxyResult {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...extraHeaders, ...response.headers };
  if (response.text) headers['Content-Type'] = response.text.contentType;
  else if (response.body !== undefined) headers['Content-Type'] = 'application/json';
  return {
    statusCode: response.status,
    headers,
    ...setCookieHeaders(response.cookies),
    body: response.text ? response.text.content : response.body === undefined ? '' : JSON.stringify(response.body),
  };
}

/**
 * The JSON error mapper, the default of every route (the `/auth/*` contract): contract errors as
 * they are, anything else a generic 500. lib/http/oauth.ts and html.ts are the other shapes.
 */
export function errorToResponse(error: unknown, logger: Logger): HttpResponse {
  if (error instanceof AppError) {
    // The logger writes the error with its whole cause chain (the AWS error behind a 503).
    if (error.status >= 500) logger.error('request failed', { code: error.code, error });
    return json(error.status, { error: error.code, message: error.message, ...error.extraBody }, error.headers);
  }
  logger.error('unexpected error', { error });
  return json(500, { error: 'internal_error', message: 'Something went wrong on our side.' });
}


/** The default error mapper under its role's name. */
export const jsonErrors: ErrorMapper = errorToResponse;
