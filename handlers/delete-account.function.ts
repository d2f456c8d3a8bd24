import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges } from '../lib/compose/parts/accounts';
import { attemptLimits, passwordHasher } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'deleteAccount',
  routes: [route('delete', 'me', 'jwt')],
  // Hashes a password (argon2id): login's size.
  memory: 512,
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // The passkey purge deletes each passkey and the account's list in one transaction of conditional deletes.
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    changes: accountChanges,
    passwords: passwordHasher,
    limits: attemptLimits,
    // Sessions end, then every feature's data goes (one-time tokens, MFA, passkeys).
    events: accountEvents('deleted'),
  },
});
