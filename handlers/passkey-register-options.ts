import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/passkeys';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { reauthPolicy } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { startRegistration } from '../lib/passkeys/passkey-service';

const ready = parts({ users: userStore, passkeys: passkeyStore, challenges: challengeStore, hashes: passkeyHasher, webauthn: webAuthnSettings, reauth: reauthPolicy });

export const handler = httpHandler(ready, async (request, deps) => {
  const principal = requirePrincipal(request);
  return json(200, await startRegistration({ ...deps, clock }, principal.sub, principal));
});
