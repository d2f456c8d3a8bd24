import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { roleChanges } from '../lib/compose/parts/roles';

export default httpFunction({
  name: 'adminSetUserRoles',
  routes: [route('put', 'admin/users/{id}/roles', 'jwt', 'users:write')],
  parts: {
    policy: adminPolicy,
    // The account's roles and roles version in one write, then each live session's claims.
    roles: roleChanges,
  },
});
