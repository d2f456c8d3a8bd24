import { COOKIE_PATH_PATTERN } from '../core/config';
import type { HttpRequest } from './http';

/**
 * The refresh cookie's Path: COOKIE_PATH when set, else `<base path>/auth` of the request, so the
 * cookie goes to the auth routes and nowhere else, under whatever URL the API is served:
 * `/<stage>/auth` on the execute-api URL, `/auth` behind a custom domain without a base path,
 * `/<base path>/auth` with one. (serverless-offline leaves the stage out of `requestContext.path`,
 * so `npm start` sets COOKIE_PATH=/<stage>/auth: infra/environment.js.)
 */
export function refreshCookiePath(request: Pick<HttpRequest, 'basePath' | 'stage'>, configured: string | undefined): string {
  if (configured) return configured;
  const derived = `${request.basePath}/auth`;
  return COOKIE_PATH_PATTERN.test(derived) ? derived : `/${request.stage}/auth`;
}
