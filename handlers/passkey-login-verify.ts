import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/passkeys';
import { clock, cookiePathFor, httpHandler, parts } from '../lib/compose/runtime';
import { loginPolicy, reauthPolicy, sessionIssuer } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { readJsonBody } from '../lib/http/http';
import { passkeyLoginVerifySchema } from '../lib/http/passkey-requests';
import { tokenResponse } from '../lib/http/token-response';
import { validate } from '../lib/http/validation';
import { passkeyLogin } from '../lib/passkeys/passkey-service';

const ready = parts({
  users: userStore,
  passkeys: passkeyStore,
  challenges: challengeStore,
  hashes: passkeyHasher,
  webauthn: webAuthnSettings,
  sessions: sessionIssuer,
  policy: loginPolicy,
  reauth: reauthPolicy,
});

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { challenge_id: challengeId, response, refresh_token_delivery: delivery } = validate(passkeyLoginVerifySchema, readJsonBody(request));
  const tokens = await passkeyLogin({ ...deps, clock, logger }, challengeId, response, request);
  return tokenResponse(tokens, delivery, cookiePathFor(request));
});
