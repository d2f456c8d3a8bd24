import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, adminClientListQuerySchema } from '../lib/http/admin-requests';
import { json } from '../lib/http/http';
import { validate } from '../lib/http/validation';
import { listClients } from '../lib/oauth/client-registry';
import declaration from './admin-list-clients.function';

export const handler = httpHandler(declaration, async (request, { policy, clients }) => {
  adminCallerOf(request, 'clients:read', policy);
  const query = validate(adminClientListQuerySchema, request.query);
  return json(200, await listClients({ clients }, { cursor: query.cursor }));
});
