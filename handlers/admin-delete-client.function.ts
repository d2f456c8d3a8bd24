import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { auditTrail } from '../lib/compose/parts/audit';
import { clients } from '../lib/compose/parts/oauth-clients';

export default httpFunction({
  name: 'adminDeleteClient',
  routes: [route('delete', 'admin/clients/{id}', 'jwt', 'clients:write')],
  parts: {
    audit: auditTrail,
    policy: adminPolicy,
    // One conditional Delete: an unknown id is a 404, not a silent success.
    clients: clients('DeleteItem'),
  },
});
