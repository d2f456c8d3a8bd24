import { httpFunction, route } from '../lib/compose/declaration';
import { sessions } from '../lib/compose/parts/storage';
import { refreshTokenCodec } from '../lib/compose/parts/tokens';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'logout',
  routes: [route('post', 'auth/logout')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    sessions: sessions(['UpdateItem']),
    refreshTokens: refreshTokenCodec,
  },
});
