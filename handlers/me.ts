import { describeAccount } from '../lib/accounts/account-service';
import { httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import declaration from './me.function';

export const handler = httpHandler(declaration, async (request, deps) => {
  const { sub, sid } = requirePrincipal(request);
  return json(200, { ...(await describeAccount(deps, sub)), session_id: sid });
});
