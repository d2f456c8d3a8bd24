import { NotFoundError } from '../lib/core/errors';
import { httpHandler } from '../lib/handler';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';

const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;

export const handler = httpHandler(async (request, app) => {
  const { sub } = requirePrincipal(request);
  const sessionId = request.pathParameters.id;
  if (!sessionId || !SESSION_ID.test(sessionId)) throw new NotFoundError('The session');
  await app.sessions.endSession(sub, sessionId);
  return noContent();
});
