import { passkeyStore } from '../lib/compose/passkeys';
import { httpHandler, parts } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { listPasskeys } from '../lib/passkeys/passkey-management';

const ready = parts({ passkeys: passkeyStore });

export const handler = httpHandler(ready, async (request, deps) => {
  const { sub } = requirePrincipal(request);
  return json(200, await listPasskeys(deps, sub));
});
