import { clock, countSessionEvent, httpHandler } from '../lib/compose/runtime';
import { NotFoundError } from '../lib/core/errors';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { endSession } from '../lib/sessions/session-service';
import declaration from './end-session.function';

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export const handler = httpHandler(declaration, async (request, { sessions }) => {
  const { sub } = requirePrincipal(request);
  const sessionId = request.pathParameters.id;
  if (!sessionId || !SESSION_ID.test(sessionId)) throw new NotFoundError('The session');
  await endSession({ sessions, clock, count: countSessionEvent }, sub, sessionId);
  return noContent();
});
