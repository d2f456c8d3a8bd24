import { httpHandler } from '../lib/handler';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';

export const handler = httpHandler(async (request, app) => {
  const { sub, sid } = requirePrincipal(request);
  return json(200, { sessions: await app.sessions.listSessions(sub, sid) });
});
