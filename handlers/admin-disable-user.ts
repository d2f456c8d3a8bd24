import { disableUser } from '../lib/admin/admin-actions';
import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetUserId } from '../lib/http/admin-requests';
import { noContent } from '../lib/http/http';
import declaration from './admin-disable-user.function';

export const handler = httpHandler(declaration, async (request, { policy, users, events }, { logger, deadline }) => {
  const caller = adminCallerOf(request, 'users:write', policy);
  await disableUser({ users, logger, endSessions: (userId) => events.endSessions(userId, { deadline }) }, caller, targetUserId(request));
  return noContent();
});
