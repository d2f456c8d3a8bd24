import { httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { listPasskeys } from '../lib/passkeys/passkey-management';
import declaration from './list-passkeys.function';

export const handler = httpHandler(declaration, async (request, deps) => {
  const { sub } = requirePrincipal(request);
  return json(200, await listPasskeys(deps, sub));
});
