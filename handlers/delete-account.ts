import { deleteAccount, oneTimeTokenPurger } from '../lib/accounts/account-deletion';
import { clock, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { deleteAccountSchema } from '../lib/http/account-schemas';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { endAllSessions } from '../lib/sessions/session-service';
import declaration from './delete-account.function';

export const handler = httpHandler(declaration, async (request, { sessions, purgeMfa, purgePasskeys, ...deps }, { logger, deadline }) => {
  const { sub } = requirePrincipal(request);
  const { password } = validate(deleteAccountSchema, readJsonBody(request));
  const endSessions = (userId: string) => endAllSessions({ sessions, clock }, userId, 'account_deleted', { deadline });
  // One purger per feature that keeps data about a user (the TOTP secret and recovery codes live on the account item itself).
  const purgers = [oneTimeTokenPurger(deps.changes), purgeMfa, purgePasskeys];
  await deleteAccount({ ...deps, clock, logger, endSessions, purgers }, sub, password, request);
  return noContent();
});
