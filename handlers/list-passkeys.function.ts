import { httpFunction, route } from '../lib/compose/declaration';
import { withNeeds } from '../lib/compose/part';
import { passkeyStore } from '../lib/compose/parts/passkeys';

export default httpFunction({
  name: 'listPasskeys',
  routes: [route('get', 'auth/passkeys', 'jwt')],
  parts: {
    passkeys: withNeeds(passkeyStore, { tables: { users: ['GetItem', 'BatchGetItem'] } }),
  },
});
