import { clock, httpHandler } from '../lib/compose/runtime';
import { oneTimeTokenBodySchema } from '../lib/http/account-schemas';
import { noContent, readJsonBody } from '../lib/http/http';
import { validate } from '../lib/http/validation';
import { reportFactor } from '../lib/reauth/factor-notices';
import declaration from './factors-report.function';

export const handler = httpHandler(declaration, async (request, { events, ...deps }, { logger, deadline }) => {
  const { token } = validate(oneTimeTokenBodySchema, readJsonBody(request));
  const endSessions = (userId: string) => events.endSessions(userId, { deadline });
  await reportFactor({ ...deps, clock, logger, endSessions }, token);
  return noContent();
});
