import { clock, httpHandler } from '../lib/compose/runtime';
import { adminCallerOf, targetClientId } from '../lib/http/admin-requests';
import { json } from '../lib/http/http';
import { rotateClientSecret } from '../lib/oauth/client-registry';
import declaration from './admin-rotate-client-secret.function';

export const handler = httpHandler(declaration, async (request, { policy, clients, secrets }, { logger }) => {
  const caller = adminCallerOf(request, 'clients:write', policy);
  return json(200, await rotateClientSecret({ clients, secrets, clock, logger }, targetClientId(request), caller));
});
