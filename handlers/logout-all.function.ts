import { httpFunction, route } from '../lib/compose/declaration';
import { sessionEnder } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'logoutAll',
  routes: [route('post', 'auth/logout-all', 'jwt')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    sessions: sessionEnder,
  },
});
