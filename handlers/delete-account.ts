import { deleteAccount } from '../lib/accounts/account-deletion';
import { clock, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { deleteAccountSchema } from '../lib/http/account-schemas';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import declaration from './delete-account.function';

export const handler = httpHandler(declaration, async (request, { events, ...deps }, { logger, deadline }) => {
  const { sub } = requirePrincipal(request);
  const { password } = validate(deleteAccountSchema, readJsonBody(request));
  const endSessions = (userId: string) => events.endSessions(userId, { deadline });
  // Each feature that keeps data about a user registered its purge for the event (lib/compose/account-events.ts).
  const purgers = [(account: { id: string; email: string }) => events.removeData(account, { deadline })];
  await deleteAccount({ ...deps, clock, logger, endSessions, purgers }, sub, password, request);
  return noContent();
});
