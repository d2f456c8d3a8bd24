import { httpFunction, route } from '../lib/compose/declaration';
import { factorNotifier } from '../lib/compose/parts/factor-notices';
import { mfaCrypto, mfaStore } from '../lib/compose/parts/mfa';
import { attemptLimits, passwordHasher } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'mfaTotpDisable',
  routes: [route('post', 'auth/mfa/totp/disable', 'jwt')],
  memory: 512,
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    passwords: passwordHasher,
    limits: attemptLimits,
    mfa: mfaStore,
    crypto: mfaCrypto,
    notify: factorNotifier,
  },
});
