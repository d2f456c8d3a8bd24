import { listAuditEvents } from '../lib/admin/audit-feed';
import { clock, httpHandler } from '../lib/compose/runtime';
import { adminAuditQuerySchema, adminCallerOf } from '../lib/http/admin-requests';
import { json } from '../lib/http/http';
import { validate } from '../lib/http/validation';
import declaration from './admin-read-audit.function';

export const handler = httpHandler(declaration, async (request, { policy, ...deps }) => {
  adminCallerOf(request, 'audit:read', policy);
  const query = validate(adminAuditQuerySchema, request.query);
  return json(200, await listAuditEvents({ ...deps, clock }, { userId: query.user_id, type: query.type, cursor: query.cursor }));
});
