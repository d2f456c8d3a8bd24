import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { factorNotifier } from '../lib/compose/parts/factor-notices';
import { mfaCrypto, mfaStore } from '../lib/compose/parts/mfa';
import { passkeyPresence } from '../lib/compose/parts/passkeys';
import { attemptLimits, reauthPolicy } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'mfaTotpConfirm',
  routes: [route('post', 'auth/mfa/totp/confirm', 'jwt')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // DeleteItem and UpdateItem: the transaction that consumes the pending secret and turns TOTP on;
    // UpdateItem also counts the code against the login throttle.
    users: users('GetItem', 'DeleteItem', 'UpdateItem'),
    mfa: mfaStore,
    crypto: mfaCrypto,
    // Turning TOTP on ends every other session of the account (they were opened with the password alone).
    events: accountEvents('secondFactorEnabled'),
    limits: attemptLimits,
    reauth: reauthPolicy,
    hasPasskey: passkeyPresence,
    notify: factorNotifier,
  },
});
