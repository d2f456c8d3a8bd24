import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'adminDisableUser',
  routes: [route('post', 'admin/users/{id}/disable', 'jwt', 'users:write')],
  parts: {
    policy: adminPolicy,
    // UpdateItem: the flag and the next credentials version, in one write on the account.
    users: users('GetItem', 'UpdateItem'),
    // Every session ends.
    events: accountEvents('disabled'),
  },
});
