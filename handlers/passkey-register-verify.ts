import { factorNotifier } from '../lib/compose/factor-notices';
import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/passkeys';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { reauthPolicy } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { json, readJsonBody } from '../lib/http/http';
import { passkeyRegisterVerifySchema } from '../lib/http/passkey-requests';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { finishRegistration } from '../lib/passkeys/passkey-service';

const ready = parts({
  users: userStore,
  passkeys: passkeyStore,
  challenges: challengeStore,
  hashes: passkeyHasher,
  webauthn: webAuthnSettings,
  reauth: reauthPolicy,
  notify: factorNotifier,
});

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const principal = requirePrincipal(request);
  const { response, name } = validate(passkeyRegisterVerifySchema, readJsonBody(request));
  const created = await finishRegistration({ ...deps, clock, logger }, principal.sub, principal, response, name, request);
  return json(201, { id: created.id, name: created.name, created_at: created.created_at });
});
