import { listUsers } from '../lib/admin/user-directory';
import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, adminUserListQuerySchema } from '../lib/http/admin-requests';
import { json } from '../lib/http/http';
import { validate } from '../lib/http/validation';
import declaration from './admin-list-users.function';

export const handler = httpHandler(declaration, async (request, { policy, directory }) => {
  adminCallerOf(request, 'users:read', policy);
  const query = validate(adminUserListQuerySchema, request.query);
  return json(200, await listUsers({ directory }, { emailPrefix: query.email_prefix, cursor: query.cursor }));
});
