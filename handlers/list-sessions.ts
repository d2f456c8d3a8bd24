import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { sessionStore } from '../lib/compose/storage';
import { sessionCursors } from '../lib/compose/tokens';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { sessionListQuerySchema, validate } from '../lib/http/validation';
import { listSessions } from '../lib/sessions/session-service';

const ready = parts({ sessions: sessionStore, cursors: sessionCursors });

export const handler = httpHandler(ready, async (request, deps) => {
  const { sub, sid } = requirePrincipal(request);
  const { cursor } = validate(sessionListQuerySchema, request.query);
  return json(200, await listSessions({ ...deps, clock }, sub, sid, cursor));
});
