import { setUserRoles } from '../lib/admin/admin-actions';
import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, adminRolesSchema, targetUserId } from '../lib/http/admin-requests';
import { json, readJsonBody } from '../lib/http/http';
import { validate } from '../lib/http/validation';
import declaration from './admin-set-user-roles.function';

export const handler = httpHandler(declaration, async (request, { policy, roles }, { logger, deadline }) => {
  const caller = adminCallerOf(request, 'users:write', policy);
  const body = validate(adminRolesSchema, readJsonBody(request));
  return json(200, await setUserRoles({ ...roles, logger }, caller, targetUserId(request), body.roles, { deadline }));
});
