import { httpHandler } from '../lib/handler';
import { noContent, readJsonBody } from '../lib/http/http';
import { clearedRefreshCookie, readRefreshToken } from '../lib/http/token-response';

export const handler = httpHandler(async (request, app) => {
  const presented = readRefreshToken(request, readJsonBody(request), app.config.corsAllowedOrigins);
  await app.sessions.logout(presented.value);
  return noContent(presented.source === 'cookie' ? [clearedRefreshCookie(request.stage)] : undefined);
});
