import { clock, countSessionEvent, httpHandler } from '../lib/compose/runtime';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { endAllSessions } from '../lib/sessions/session-service';
import declaration from './logout-all.function';

export const handler = httpHandler(declaration, async (request, { sessions }, { logger, deadline }) => {
  const { sub } = requirePrincipal(request);
  const ended = await endAllSessions({ sessions, clock, count: countSessionEvent }, sub, 'logout_all', { deadline });
  logger.security('logout_all', { userId: sub, sessionsEnded: ended, ip: request.ip, userAgent: request.userAgent });
  return noContent();
});
