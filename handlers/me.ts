import { httpHandler } from '../lib/handler';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';

export const handler = httpHandler(async (request, app) => {
  const { sub, sid } = requirePrincipal(request);
  const account = await app.accounts.describe(sub);
  return json(200, { ...account, session_id: sid });
});
