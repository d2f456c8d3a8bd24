import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'verifyEmail',
  routes: [route('post', 'auth/email/verify')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // One transaction: DeleteItem takes the token's ticket, ConditionCheckItem requires that it is still the
    // newest token, UpdateItem marks the email verified (or uses up a token stored before tokens were tickets).
    users: users('GetItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'),
    changes: accountChanges,
    oneTimeTokens: oneTimeTokenCodec,
  },
});
