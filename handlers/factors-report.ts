import { clock, countSessionEvent, httpHandler } from '../lib/compose/runtime';
import { oneTimeTokenBodySchema } from '../lib/http/account-schemas';
import { noContent, readJsonBody } from '../lib/http/http';
import { validate } from '../lib/http/validation';
import { reportFactor } from '../lib/reauth/factor-notices';
import { endAllSessions } from '../lib/sessions/session-service';
import declaration from './factors-report.function';

export const handler = httpHandler(declaration, async (request, { sessions, ...deps }, { logger, deadline }) => {
  const { token } = validate(oneTimeTokenBodySchema, readJsonBody(request));
  const endSessions = (userId: string) => endAllSessions({ sessions, clock, count: countSessionEvent }, userId, 'factor_reported', { deadline });
  await reportFactor({ ...deps, clock, logger, endSessions }, token);
  return noContent();
});
