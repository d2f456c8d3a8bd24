import { httpFunction, route } from '../lib/compose/declaration';
import { factorNotifier } from '../lib/compose/parts/factor-notices';
import { passkeyStore } from '../lib/compose/parts/passkeys';
import { reauthPolicy } from '../lib/compose/parts/sessions';
import { sessions, users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'deletePasskey',
  routes: [route('delete', 'auth/passkeys/{id}', 'jwt')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // GetItem: the account (for the notice); the transaction deletes the passkey and updates the list.
    users: users('GetItem', 'DeleteItem', 'UpdateItem'),
    passkeys: passkeyStore,
    // The sessions the passkey opened end: the by-user index, a batch read of each page, a write per session.
    sessions: sessions(['BatchGetItem', 'UpdateItem'], ['Query']),
    reauth: reauthPolicy,
    notify: factorNotifier,
  },
});
