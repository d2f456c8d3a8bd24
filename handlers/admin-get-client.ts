import { httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetClientId } from '../lib/http/admin-requests';
import { json } from '../lib/http/http';
import { describeClient } from '../lib/oauth/client-registry';
import declaration from './admin-get-client.function';

export const handler = httpHandler(declaration, async (request, { policy, clients }) => {
  adminCallerOf(request, 'clients:read', policy);
  return json(200, await describeClient({ clients }, targetClientId(request)));
});
