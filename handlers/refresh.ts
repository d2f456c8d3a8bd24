import { allowedOrigins, cookiePathFor, httpHandler, parts } from '../lib/compose/runtime';
import { sessionIssuer } from '../lib/compose/sessions';
import { readJsonBody } from '../lib/http/http';
import { readRefreshToken, tokenResponse } from '../lib/http/token-response';

const ready = parts({ sessions: sessionIssuer });

export const handler = httpHandler(ready, async (request, { sessions }, { logger }) => {
  const presented = readRefreshToken(request, readJsonBody(request), allowedOrigins(), logger);
  const tokens = await sessions.refresh(presented.value, request);
  return tokenResponse(tokens, presented.source, cookiePathFor(request));
});
