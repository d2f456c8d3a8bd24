import { clock, httpHandler } from '../lib/compose/runtime';
import { adminCallerOf } from '../lib/http/admin-requests';
import { json, readJsonBody } from '../lib/http/http';
import { registerClient } from '../lib/oauth/client-registry';
import declaration from './admin-create-client.function';

export const handler = httpHandler(declaration, async (request, { policy, clients, secrets }, { logger }) => {
  const caller = adminCallerOf(request, 'clients:write', policy);
  // The secret is in this answer only (Cache-Control: no-store, as every JSON answer).
  return json(201, await registerClient({ clients, secrets, clock, logger }, readJsonBody(request), caller));
});
