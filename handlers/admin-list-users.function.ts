import { httpFunction, route } from '../lib/compose/declaration';
import { accountDirectory, adminPolicy } from '../lib/compose/parts/admin';

export default httpFunction({
  name: 'adminListUsers',
  routes: [route('get', 'admin/users', 'jwt', 'users:read')],
  parts: {
    policy: adminPolicy,
    directory: accountDirectory,
  },
});
