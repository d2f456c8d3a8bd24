import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/passkeys';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { passkeyRegisterVerifySchema } from '../lib/http/passkey-requests';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { finishRegistration } from '../lib/passkeys/passkey-service';

const ready = parts({ passkeys: passkeyStore, challenges: challengeStore, hashes: passkeyHasher, webauthn: webAuthnSettings });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const { response, name } = validate(passkeyRegisterVerifySchema, readJsonBody(request));
  const created = await finishRegistration({ ...deps, clock, logger }, sub, response, name, request);
  return json(201, { id: created.id, name: created.name, created_at: created.created_at });
});
