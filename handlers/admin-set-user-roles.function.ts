import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { auditTrail } from '../lib/compose/parts/audit';
import { roleChanges } from '../lib/compose/parts/roles';

export default httpFunction({
  name: 'adminSetUserRoles',
  routes: [route('put', 'admin/users/{id}/roles', 'jwt', 'users:write')],
  parts: {
    // The change goes to the audit trail (roles_changed), with the admin as its actor.
    audit: auditTrail,
    policy: adminPolicy,
    // The account's roles and roles version in one write, then each live session's claims.
    roles: roleChanges,
  },
});
