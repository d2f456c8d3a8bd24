import { httpFunction, route } from '../lib/compose/declaration';
import { adminPolicy } from '../lib/compose/parts/admin';
import { auditCursors, auditFeedReader } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'adminReadAudit',
  routes: [route('get', 'admin/audit', 'jwt', 'audit:read')],
  parts: {
    policy: adminPolicy,
    // Query on the table (one user's events) and its indexes (every event, one type's).
    audit: auditFeedReader,
    cursors: auditCursors,
  },
});
