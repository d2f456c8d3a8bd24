import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { emailSettings, failedEmailKeeper, mailer } from '../lib/compose/parts/email';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'forgotPassword',
  routes: [route('post', 'auth/password/forgot')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    users: users('GetItem', 'PutItem', 'DeleteItem'),
    changes: accountChanges,
    oneTimeTokens: oneTimeTokenCodec,
    mailer,
    email: emailSettings,
    outbox: failedEmailKeeper,
  },
});
