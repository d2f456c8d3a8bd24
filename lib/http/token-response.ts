import { CsrfRejectedError, InvalidRefreshTokenError } from '../core/errors';
import type { Logger } from '../core/logger';
import { clearedCookie, readCookies, serializeCookie } from './cookies';
import { json, type HttpRequest, type HttpResponse } from './http';
import type { IssuedTokens, RefreshTokenDelivery } from '../sessions/session-service';
import { refreshTokenBodySchema, validate } from './validation';

export type Delivery = RefreshTokenDelivery;

export const REFRESH_COOKIE = 'refresh_token';

/** The refresh token's cookie: HttpOnly, Secure, SameSite=Strict, scoped to the auth routes (lib/http/cookie-path.ts). */
export const refreshCookie = (value: string, maxAgeSeconds: number, path: string): string =>
  serializeCookie(REFRESH_COOKIE, value, { sameSite: 'Strict', path, maxAge: maxAgeSeconds });

export const clearedRefreshCookie = (path: string): string => clearedCookie(REFRESH_COOKIE, { sameSite: 'Strict', path });

/** The token response of login and refresh, with the refresh token in the body or in a cookie scoped to `cookiePath`. */
export function tokenResponse(tokens: IssuedTokens, delivery: Delivery, cookiePath: string): HttpResponse {
  const body = {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    ...(delivery === 'body' ? { refresh_token: tokens.refreshToken } : {}),
    refresh_token_expires_in: tokens.refreshTokenExpiresIn,
  };
  const cookies = delivery === 'cookie' ? [refreshCookie(tokens.refreshToken, tokens.refreshTokenExpiresIn, cookiePath)] : undefined;
  return json(200, body, {}, cookies);
}

/**
 * The refresh token of a refresh or logout: from the body, else from the cookie. A cookie is
 * sent by the browser on its own, so a cookie-borne request must prove its origin (CSRF).
 */
export function readRefreshToken(request: HttpRequest, body: unknown, allowedOrigins: readonly string[], logger: Logger): { value: string; source: Delivery } {
  const { refresh_token: fromBody } = validate(refreshTokenBodySchema, body ?? {});
  if (fromBody !== undefined) return { value: fromBody, source: 'body' };
  const fromCookie = readCookies(request, REFRESH_COOKIE);
  // No token at all is "no session", the answer a first-visit probe expects: not a malformed request.
  if (fromCookie.length === 0 || !fromCookie[0]) throw new InvalidRefreshTokenError();
  if (!request.origin || !allowedOrigins.includes(request.origin)) {
    logger.security('csrf_rejected', { origin: request.origin ?? null, ip: request.ip, userAgent: request.userAgent });
    throw new CsrfRejectedError();
  }
  // Two cookies of this name: one may have been planted by a sibling subdomain ("cookie tossing"),
  // which would sign the browser in to someone else's session. Neither is used.
  if (fromCookie.length > 1) {
    logger.security('csrf_rejected', { reason: 'several refresh_token cookies', origin: request.origin, ip: request.ip, userAgent: request.userAgent });
    throw new InvalidRefreshTokenError();
  }
  return { value: fromCookie[0], source: 'cookie' };
}
