import { clock, httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetClientId } from '../lib/http/admin-requests';
import { noContent } from '../lib/http/http';
import { deleteClient } from '../lib/oauth/client-registry';
import declaration from './admin-delete-client.function';

export const handler = httpHandler(declaration, async (request, { policy, clients }, { logger }) => {
  const caller = adminCallerOf(request, 'clients:write', policy);
  await deleteClient({ clients, clock, logger }, targetClientId(request), caller);
  return noContent();
});
