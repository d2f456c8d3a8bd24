import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy, adminSignOut } from '../lib/compose/parts/admin';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'adminSignOutUser',
  routes: [route('post', 'admin/users/{id}/sign-out', 'jwt', 'users:write')],
  parts: {
    policy: adminPolicy,
    users: users('GetItem'),
    signOut: adminSignOut,
  },
});
