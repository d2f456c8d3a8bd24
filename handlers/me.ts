import { describeAccount } from '../lib/accounts/account-service';
import { httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';

const ready = parts({ users: userStore });

export const handler = httpHandler(ready, async (request, deps) => {
  const { sub, sid } = requirePrincipal(request);
  return json(200, { ...(await describeAccount(deps, sub)), session_id: sid });
});
