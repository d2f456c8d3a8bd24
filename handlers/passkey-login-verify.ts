import { clock, cookiePathFor, httpHandler } from '../lib/compose/runtime';
import { readJsonBody } from '../lib/http/http';
import { passkeyLoginVerifySchema } from '../lib/http/passkey-requests';
import { tokenResponse } from '../lib/http/token-response';
import { validate } from '../lib/http/validation';
import { passkeyLogin } from '../lib/passkeys/passkey-service';
import declaration from './passkey-login-verify.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { challenge_id: challengeId, response, refresh_token_delivery: delivery } = validate(passkeyLoginVerifySchema, readJsonBody(request));
  const tokens = await passkeyLogin({ ...deps, clock, logger }, challengeId, response, request);
  return tokenResponse(tokens, delivery, cookiePathFor(request));
});
