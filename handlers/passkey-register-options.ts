import { clock, httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { startRegistration } from '../lib/passkeys/passkey-service';
import declaration from './passkey-register-options.function';

export const handler = httpHandler(declaration, async (request, deps) => {
  const principal = requirePrincipal(request);
  return json(200, await startRegistration({ ...deps, clock }, principal.sub, principal));
});
