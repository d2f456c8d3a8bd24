import { signOutUser } from '../lib/admin/admin-actions';
import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetUserId } from '../lib/http/admin-requests';
import { noContent } from '../lib/http/http';
import declaration from './admin-sign-out-user.function';

export const handler = httpHandler(declaration, async (request, { policy, users, signOut }, { logger, deadline }) => {
  const caller = adminCallerOf(request, 'users:write', policy);
  await signOutUser({ users, logger, endSessions: (userId) => signOut(userId, deadline) }, caller, targetUserId(request));
  return noContent();
});
