import { httpHandler } from '../lib/handler';
import { json } from '../lib/http';
import { requirePrincipal } from '../lib/principal';

export const handler = httpHandler(async (request, app) => {
  const { sub, sid } = requirePrincipal(request);
  return json(200, { sessions: await app.sessions.listSessions(sub, sid) });
});
