import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadServiceConfig } from '../../../lib/core/config';
import { ConfigError } from '../../../lib/core/errors';
import { refreshCookiePath } from '../../../lib/http/cookie-path';
import { toHttpRequest } from '../../../lib/http/http';
import { clearedRefreshCookie, tokenResponse } from '../../../lib/http/token-response';
import { restEvent } from '../../support/events';

/** A login event as API Gateway sends it for a URL whose path is `fullPath`; the route is /auth/login. */
const loginAt = (fullPath: string, route = '/auth/login', eventPath = route): APIGatewayProxyEvent => {
  const event = restEvent({ path: route });
  return { ...event, path: eventPath, requestContext: { ...event.requestContext, stage: 'prod', path: fullPath } };
};

const tokens = { accessToken: 'a.b.c', expiresIn: 900, refreshToken: 'session.secret', refreshTokenExpiresIn: 1_209_600 } as Parameters<typeof tokenResponse>[0];
const pathOf = (cookie: string | undefined) => cookie?.split('; ').find((attribute) => attribute.startsWith('Path='));

describe('the refresh cookie Path (COOKIE_PATH, or derived from the request)', () => {
  it('is /<stage>/auth on the execute-api URL, whose requestContext.path carries the stage', () => {
    expect(refreshCookiePath(toHttpRequest(loginAt('/prod/auth/login')), undefined)).toBe('/prod/auth');
  });

  it('is /auth behind a custom domain without a base path', () => {
    expect(refreshCookiePath(toHttpRequest(loginAt('/auth/login')), undefined)).toBe('/auth');
  });

  it('is /<base path>/auth behind a custom domain with a base path (API Gateway then puts it in event.path too)', () => {
    expect(refreshCookiePath(toHttpRequest(loginAt('/v1/auth/login', '/auth/login', '/v1/auth/login')), undefined)).toBe('/v1/auth');
  });

  it('counts the segments of a route with a path parameter', () => {
    expect(toHttpRequest(loginAt('/prod/auth/sessions/abc', '/auth/sessions/{id}', '/auth/sessions/abc')).basePath).toBe('/prod');
  });

  it('is COOKIE_PATH when set, whatever the request', () => {
    const configured = loadServiceConfig({ COOKIE_PATH: '/identity/auth' }).cookiePath;
    expect(refreshCookiePath(toHttpRequest(loginAt('/prod/auth/login')), configured)).toBe('/identity/auth');
  });

  it('falls back to /<stage>/auth for an event without requestContext.path', () => {
    const event = loginAt('/prod/auth/login');
    const { path: _path, ...context } = event.requestContext;
    expect(refreshCookiePath(toHttpRequest({ ...event, requestContext: context } as APIGatewayProxyEvent), undefined)).toBe('/prod/auth');
  });

  it('applies to the cookie a login or refresh sets and the one logout clears', () => {
    const path = refreshCookiePath(toHttpRequest(loginAt('/auth/login')), undefined);
    expect(pathOf(tokenResponse(tokens, 'cookie', path).cookies?.[0])).toBe('Path=/auth');
    expect(pathOf(clearedRefreshCookie(path))).toBe('Path=/auth');
    expect(clearedRefreshCookie(path)).toMatch(/; Max-Age=0$/);
  });

  it.each(['auth', '/auth; Domain=evil.example', '/a,b', '/with space', '/tab\there'])('refuses COOKIE_PATH=%j at start, naming it', (value) => {
    expect(() => loadServiceConfig({ COOKIE_PATH: value })).toThrow(ConfigError);
    expect(() => loadServiceConfig({ COOKIE_PATH: value })).toThrow(/COOKIE_PATH/);
  });
});
