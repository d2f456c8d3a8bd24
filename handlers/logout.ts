import { allowedOrigins, clock, cookiePathFor, countSessionEvent, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { clearedRefreshCookie, readRefreshToken } from '../lib/http/token-response';
import { logout } from '../lib/sessions/session-service';
import declaration from './logout.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const presented = readRefreshToken(request, readJsonBody(request), allowedOrigins(), logger);
  const ended = await logout({ ...deps, clock, count: countSessionEvent }, presented.value);
  if (ended) logger.security('logout', { userId: ended.userId, sessionId: ended.sessionId, ip: request.ip, userAgent: request.userAgent });
  return noContent(presented.source === 'cookie' ? [clearedRefreshCookie(cookiePathFor(request))] : undefined);
});
