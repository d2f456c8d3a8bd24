import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/passkeys';
import { clock, emailPolicy, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { json, readJsonBody } from '../lib/http/http';
import { passkeyLoginOptionsSchema } from '../lib/http/passkey-requests';
import { validate } from '../lib/http/validation';
import { startLogin } from '../lib/passkeys/passkey-service';

const bodySchema = passkeyLoginOptionsSchema(emailPolicy);
const ready = parts({ users: userStore, passkeys: passkeyStore, challenges: challengeStore, hashes: passkeyHasher, webauthn: webAuthnSettings });

export const handler = httpHandler(ready, async (request, deps) => {
  const { email } = validate(bodySchema, readJsonBody(request));
  return json(200, await startLogin({ ...deps, clock }, email));
});
