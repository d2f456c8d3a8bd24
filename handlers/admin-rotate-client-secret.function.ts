import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { auditTrail } from '../lib/compose/parts/audit';
import { clients, clientSecrets } from '../lib/compose/parts/oauth-clients';

export default httpFunction({
  name: 'adminRotateClientSecret',
  routes: [route('post', 'admin/clients/{id}/secret', 'jwt', 'clients:write')],
  parts: {
    audit: auditTrail,
    policy: adminPolicy,
    // One conditional Update (only a client that has a secret), returning the item either way.
    clients: clients('UpdateItem'),
    secrets: clientSecrets,
  },
});
