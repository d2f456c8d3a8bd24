import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges } from '../lib/compose/parts/accounts';
import { adminPolicy } from '../lib/compose/parts/admin';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'adminDeleteUser',
  routes: [route('delete', 'admin/users/{id}', 'jwt', 'users:write')],
  parts: {
    // The admin's action goes to the audit trail, with the admin as its actor.
    audit: auditTrail,
    policy: adminPolicy,
    // As DELETE /me, without the password: the passkey purge deletes each passkey and the account's list in one transaction of conditional deletes.
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    changes: accountChanges,
    // Sessions end, then every feature's data goes (one-time tokens, MFA, passkeys).
    events: accountEvents('deleted'),
  },
});
