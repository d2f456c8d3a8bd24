import { httpFunction, route } from '../lib/compose/declaration';
import { mfaCrypto, mfaStore } from '../lib/compose/parts/mfa';
import { attemptLimits, reauthPolicy, sessionOpener } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'mfaVerify',
  routes: [route('post', 'auth/mfa/verify')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // DeleteItem + UpdateItem: the transaction that spends the MFA token and the code together.
    // ConditionCheckItem: the session is written only while the account is not disabled and keeps its credentials version.
    users: users('GetItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'),
    limits: attemptLimits,
    mfa: mfaStore,
    crypto: mfaCrypto,
    sessions: sessionOpener,
    reauth: reauthPolicy,
  },
});
