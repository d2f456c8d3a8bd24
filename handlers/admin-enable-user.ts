import { enableUser } from '../lib/admin/admin-actions';
import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetUserId } from '../lib/http/admin-requests';
import { noContent } from '../lib/http/http';
import declaration from './admin-enable-user.function';

export const handler = httpHandler(declaration, async (request, { policy, users }, { logger }) => {
  const caller = adminCallerOf(request, 'users:write', policy);
  await enableUser({ users, logger }, caller, targetUserId(request));
  return noContent();
});
