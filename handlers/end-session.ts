import { clock, countSessionEvent, httpHandler, parts } from '../lib/compose/runtime';
import { sessionStore } from '../lib/compose/storage';
import { NotFoundError } from '../lib/core/errors';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { endSession } from '../lib/sessions/session-service';

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
const ready = parts({ sessions: sessionStore });

export const handler = httpHandler(ready, async (request, { sessions }) => {
  const { sub } = requirePrincipal(request);
  const sessionId = request.pathParameters.id;
  if (!sessionId || !SESSION_ID.test(sessionId)) throw new NotFoundError('The session');
  await endSession({ sessions, clock, count: countSessionEvent }, sub, sessionId);
  return noContent();
});
