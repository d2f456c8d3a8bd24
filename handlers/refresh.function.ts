import { httpFunction, route } from '../lib/compose/declaration';
import { sessionIssuer } from '../lib/compose/parts/sessions';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'refresh',
  routes: [route('post', 'auth/refresh')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    sessions: sessionIssuer,
  },
});
