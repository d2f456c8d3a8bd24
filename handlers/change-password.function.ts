import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges } from '../lib/compose/parts/accounts';
import { emailSettings, failedEmailKeeper, mailer } from '../lib/compose/parts/email';
import { attemptLimits, passwordHasher } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'changePassword',
  routes: [route('post', 'auth/password/change', 'jwt')],
  // Hashes a password (argon2id): login's size.
  memory: 512,
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    // Every other session ends.
    events: accountEvents('passwordChanged'),
    changes: accountChanges,
    passwords: passwordHasher,
    limits: attemptLimits,
    mailer,
    email: emailSettings,
    outbox: failedEmailKeeper,
  },
});
