import { allowedOrigins, clock, cookiePathFor, countSessionEvent, httpHandler, parts } from '../lib/compose/runtime';
import { sessionStore } from '../lib/compose/storage';
import { refreshTokenCodec } from '../lib/compose/tokens';
import { noContent, readJsonBody } from '../lib/http/http';
import { clearedRefreshCookie, readRefreshToken } from '../lib/http/token-response';
import { logout } from '../lib/sessions/session-service';

const ready = parts({ sessions: sessionStore, refreshTokens: refreshTokenCodec });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const presented = readRefreshToken(request, readJsonBody(request), allowedOrigins(), logger);
  await logout({ ...deps, clock, count: countSessionEvent }, presented.value);
  return noContent(presented.source === 'cookie' ? [clearedRefreshCookie(cookiePathFor(request))] : undefined);
});
