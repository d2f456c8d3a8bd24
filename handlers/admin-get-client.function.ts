import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { clients } from '../lib/compose/parts/oauth-clients';

export default httpFunction({
  name: 'adminGetClient',
  routes: [route('get', 'admin/clients/{id}', 'jwt', 'clients:read')],
  parts: {
    policy: adminPolicy,
    clients: clients('GetItem'),
  },
});
