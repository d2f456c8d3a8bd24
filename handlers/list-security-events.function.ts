import { httpFunction, route } from '../lib/compose/declaration';
import { auditCursors, auditReader } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'listSecurityEvents',
  routes: [route('get', 'me/security-events', 'jwt')],
  parts: {
    audit: auditReader,
    cursors: auditCursors,
  },
});
