import { httpHandler } from '../lib/handler';
import { readJsonBody } from '../lib/http/http';
import { readRefreshToken, tokenResponse } from '../lib/http/token-response';

export const handler = httpHandler(async (request, app) => {
  const presented = readRefreshToken(request, readJsonBody(request), app.config.corsAllowedOrigins);
  const tokens = await app.sessions.refresh(presented.value, request);
  return tokenResponse(tokens, presented.source, request.stage);
});
