import { listOwnSecurityEvents } from '../lib/audit/security-events';
import { clock, httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { sessionListQuerySchema, validate } from '../lib/http/validation';
import declaration from './list-security-events.function';

export const handler = httpHandler(declaration, async (request, deps) => {
  const { sub } = requirePrincipal(request);
  // The same query as the session list: an optional opaque cursor.
  const { cursor } = validate(sessionListQuerySchema, request.query);
  return json(200, await listOwnSecurityEvents({ ...deps, clock }, sub, cursor));
});
