import { deleteUser } from '../lib/admin/admin-actions';
import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetUserId } from '../lib/http/admin-requests';
import { noContent } from '../lib/http/http';
import declaration from './admin-delete-user.function';

export const handler = httpHandler(declaration, async (request, { policy, events, ...deps }, { logger, deadline }) => {
  const caller = adminCallerOf(request, 'users:write', policy);
  // Each feature that keeps data about a user registered its purge for the event (lib/compose/account-events.ts).
  const purgers = [(account: { id: string; email: string }) => events.removeData(account, { deadline })];
  await deleteUser({ ...deps, logger, purgers, endSessions: (userId) => events.endSessions(userId, { deadline }) }, caller, targetUserId(request));
  return noContent();
});
