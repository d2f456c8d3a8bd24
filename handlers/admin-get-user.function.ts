import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { passkeyStore } from '../lib/compose/parts/passkeys';
import { sessions, users } from '../lib/compose/parts/storage';
import { withNeeds } from '../lib/compose/part';

export default httpFunction({
  name: 'adminGetUser',
  routes: [route('get', 'admin/users/{id}', 'jwt', 'users:read')],
  parts: {
    policy: adminPolicy,
    users: users('GetItem'),
    // The account's list of credential ids, then its passkeys in one batch.
    passkeys: withNeeds(passkeyStore, { tables: { users: ['GetItem', 'BatchGetItem'] } }),
    // Live sessions counted: the by-user index, each page read in one batch.
    sessions: sessions(['BatchGetItem'], ['Query']),
  },
});
