import { oneTimeTokenCodec } from '../lib/compose/accounts';
import { factorNoticeStore, factorRemovers } from '../lib/compose/factor-notices';
import { clock, countSessionEvent, httpHandler, parts } from '../lib/compose/runtime';
import { sessionStore, userStore } from '../lib/compose/storage';
import { oneTimeTokenBodySchema } from '../lib/http/account-schemas';
import { noContent, readJsonBody } from '../lib/http/http';
import { validate } from '../lib/http/validation';
import { reportFactor } from '../lib/reauth/factor-notices';
import { endAllSessions } from '../lib/sessions/session-service';

const ready = parts({ users: userStore, notices: factorNoticeStore, oneTimeTokens: oneTimeTokenCodec, remove: factorRemovers, sessions: sessionStore });

export const handler = httpHandler(ready, async (request, { sessions, ...deps }, { logger, deadline }) => {
  const { token } = validate(oneTimeTokenBodySchema, readJsonBody(request));
  const endSessions = (userId: string) => endAllSessions({ sessions, clock, count: countSessionEvent }, userId, 'factor_reported', { deadline });
  await reportFactor({ ...deps, clock, logger, endSessions }, token);
  return noContent();
});
