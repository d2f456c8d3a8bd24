import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { factorNoticeStore, factorRemovers } from '../lib/compose/parts/factor-notices';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'factorsReport',
  routes: [route('post', 'auth/factors/report')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // GetItem: the notice and the account; UpdateItem: turning TOTP off, dropping recovery codes;
    // DeleteItem + UpdateItem: the transaction that spends the notice (takes its ticket, removes its
    // entry) and the one that removes a passkey.
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    notices: factorNoticeStore,
    oneTimeTokens: oneTimeTokenCodec,
    remove: factorRemovers,
    events: accountEvents('factorReported'),
  },
});
