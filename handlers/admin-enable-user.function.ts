import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'adminEnableUser',
  routes: [route('post', 'admin/users/{id}/enable', 'jwt', 'users:write')],
  parts: {
    policy: adminPolicy,
    users: users('GetItem', 'UpdateItem'),
  },
});
