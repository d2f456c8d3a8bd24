import { clock, httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { sessionListQuerySchema, validate } from '../lib/http/validation';
import { listSessions } from '../lib/sessions/session-service';
import declaration from './list-sessions.function';

export const handler = httpHandler(declaration, async (request, deps) => {
  const { sub, sid } = requirePrincipal(request);
  const { cursor } = validate(sessionListQuerySchema, request.query);
  return json(200, await listSessions({ ...deps, clock }, sub, sid, cursor));
});
