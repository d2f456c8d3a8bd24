import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'adminDisableUser',
  routes: [route('post', 'admin/users/{id}/disable', 'jwt', 'users:write')],
  parts: {
    // The admin's action goes to the audit trail, with the admin as its actor.
    audit: auditTrail,
    policy: adminPolicy,
    // UpdateItem: the flag and the next credentials version, in one write on the account.
    users: users('GetItem', 'UpdateItem'),
    // Every session ends.
    events: accountEvents('disabled'),
  },
});
