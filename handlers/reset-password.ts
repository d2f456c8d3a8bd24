import { resetPassword } from '../lib/accounts/password-recovery';
import { clock, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { resetPasswordSchema } from '../lib/http/account-schemas';
import { validate } from '../lib/http/validation';
import { endAllSessions } from '../lib/sessions/session-service';
import declaration from './reset-password.function';

export const handler = httpHandler(declaration, async (request, { sessions, forgetTotp, purgePasskeys, ...deps }, { logger, deadline }) => {
  const { token, password } = validate(resetPasswordSchema, readJsonBody(request));
  const endSessions = (userId: string) => endAllSessions({ sessions, clock }, userId, 'password_reset', { deadline });
  const forgetUnprovenFactors = [forgetTotp, (account: { id: string }) => purgePasskeys(account.id)];
  await resetPassword({ ...deps, clock, logger, endSessions, forgetUnprovenFactors }, token, password, request);
  return noContent();
});
