import { httpHandler } from '../lib/handler';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';

export const handler = httpHandler(async (request, app) => {
  await app.sessions.logoutAll(requirePrincipal(request).sub, request);
  return noContent();
});
