import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy, adminSignOut } from '../lib/compose/parts/admin';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'adminSignOutUser',
  routes: [route('post', 'admin/users/{id}/sign-out', 'jwt', 'users:write')],
  parts: {
    // The admin's action goes to the audit trail, with the admin as its actor.
    audit: auditTrail,
    policy: adminPolicy,
    users: users('GetItem'),
    signOut: adminSignOut,
  },
});
