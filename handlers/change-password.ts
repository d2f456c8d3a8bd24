import { changePassword } from '../lib/accounts/password-change';
import { clock, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { changePasswordSchema } from '../lib/http/account-schemas';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import declaration from './change-password.function';

export const handler = httpHandler(declaration, async (request, { events, ...deps }, { logger, deadline }) => {
  const { sub, sid } = requirePrincipal(request);
  const { current_password: current, new_password: next } = validate(changePasswordSchema, readJsonBody(request));
  const endOtherSessions = (userId: string, except: string) => events.endSessions(userId, { except, deadline });
  await changePassword({ ...deps, clock, logger, endOtherSessions }, { userId: sub, sessionId: sid }, current, next, request);
  return noContent();
});
