import { allowedOrigins, cookiePathFor, httpHandler } from '../lib/compose/runtime';
import { readJsonBody } from '../lib/http/http';
import { readRefreshToken, tokenResponse } from '../lib/http/token-response';
import declaration from './refresh.function';

export const handler = httpHandler(declaration, async (request, { sessions }, { logger }) => {
  const presented = readRefreshToken(request, readJsonBody(request), allowedOrigins(), logger);
  const tokens = await sessions.refresh(presented.value, request);
  return tokenResponse(tokens, presented.source, cookiePathFor(request));
});
