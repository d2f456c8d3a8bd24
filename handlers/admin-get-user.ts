import { describeUser } from '../lib/admin/user-directory';
import { clock, httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetUserId } from '../lib/http/admin-requests';
import { json } from '../lib/http/http';
import declaration from './admin-get-user.function';

export const handler = httpHandler(declaration, async (request, { policy, ...deps }) => {
  adminCallerOf(request, 'users:read', policy);
  return json(200, await describeUser({ ...deps, clock }, targetUserId(request)));
});
