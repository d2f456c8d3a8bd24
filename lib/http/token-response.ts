import { CsrfRejectedError, InvalidRefreshTokenError } from '../core/errors';
import { json, readCookie, type HttpRequest, type HttpResponse } from './http';
import type { IssuedTokens } from '../sessions/session-service';
import { refreshTokenBodySchema, validate } from './validation';

export type Delivery = 'body' | 'cookie';

export const REFRESH_COOKIE = 'refresh_token';

const cookiePath = (stage: string) => `/${stage}/auth`;

export function refreshCookie(value: string, maxAgeSeconds: number, stage: string): string {
  return `${REFRESH_COOKIE}=${value}; HttpOnly; Secure; SameSite=Strict; Path=${cookiePath(stage)}; Max-Age=${maxAgeSeconds}`;
}

export const clearedRefreshCookie = (stage: string): string => refreshCookie('', 0, stage);

/** The token response of login and refresh, with the refresh token in the body or in a cookie. */
export function tokenResponse(tokens: IssuedTokens, delivery: Delivery, stage: string): HttpResponse {
  const body = {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    ...(delivery === 'body' ? { refresh_token: tokens.refreshToken } : {}),
    refresh_token_expires_in: tokens.refreshTokenExpiresIn,
  };
  const cookies = delivery === 'cookie' ? [refreshCookie(tokens.refreshToken, tokens.refreshTokenExpiresIn, stage)] : undefined;
  return json(200, body, {}, cookies);
}

/**
 * The refresh token of a refresh or logout: from the body, else from the cookie. A cookie is
 * sent by the browser on its own, so a cookie-borne request must prove its origin (CSRF).
 */
export function readRefreshToken(request: HttpRequest, body: unknown, allowedOrigins: readonly string[]): { value: string; source: Delivery } {
  const { refresh_token: fromBody } = validate(refreshTokenBodySchema, body ?? {});
  if (fromBody !== undefined) return { value: fromBody, source: 'body' };
  const fromCookie = readCookie(request, REFRESH_COOKIE);
  // No token at all is "no session", the answer a first-visit probe expects: not a malformed request.
  if (!fromCookie) throw new InvalidRefreshTokenError();
  if (!request.origin || !allowedOrigins.includes(request.origin)) throw new CsrfRejectedError();
  return { value: fromCookie, source: 'cookie' };
}
