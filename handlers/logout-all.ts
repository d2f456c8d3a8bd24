import { clock, countSessionEvent, httpHandler, parts } from '../lib/compose/runtime';
import { sessionStore } from '../lib/compose/storage';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { endAllSessions } from '../lib/sessions/session-service';

const ready = parts({ sessions: sessionStore });

export const handler = httpHandler(ready, async (request, { sessions }, { logger, deadline }) => {
  const { sub } = requirePrincipal(request);
  const ended = await endAllSessions({ sessions, clock, count: countSessionEvent }, sub, 'logout_all', { deadline });
  logger.security('logout_all', { userId: sub, sessionsEnded: ended, ip: request.ip, userAgent: request.userAgent });
  return noContent();
});
