import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { auditTrail } from '../lib/compose/parts/audit';
import { clients, clientSecrets } from '../lib/compose/parts/oauth-clients';

export default httpFunction({
  name: 'adminCreateClient',
  routes: [route('post', 'admin/clients', 'jwt', 'clients:write')],
  parts: {
    // client_created goes to the audit trail, with the admin as its actor.
    audit: auditTrail,
    policy: adminPolicy,
    // One conditional Put: a new id never overwrites a client.
    clients: clients('PutItem'),
    secrets: clientSecrets,
  },
});
