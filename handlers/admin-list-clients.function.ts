import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { clients } from '../lib/compose/parts/oauth-clients';

export default httpFunction({
  name: 'adminListClients',
  routes: [route('get', 'admin/clients', 'jwt', 'clients:read')],
  parts: {
    policy: adminPolicy,
    // The clients table holds clients only: a listing scans it.
    clients: clients('Scan'),
  },
});
