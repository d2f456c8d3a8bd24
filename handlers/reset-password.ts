import { resetPassword } from '../lib/accounts/password-recovery';
import { clock, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { resetPasswordSchema } from '../lib/http/account-schemas';
import { validate } from '../lib/http/validation';
import declaration from './reset-password.function';

export const handler = httpHandler(declaration, async (request, { events, firstProof, ...deps }, { logger, deadline }) => {
  const { token, password } = validate(resetPasswordSchema, readJsonBody(request));
  const endSessions = (userId: string) => events.endSessions(userId, { deadline });
  const forgetUnprovenFactors = [(account: { id: string; email: string }) => firstProof.removeData(account, { deadline })];
  await resetPassword({ ...deps, clock, logger, endSessions, forgetUnprovenFactors }, token, password, request);
  return noContent();
});
