import { clock, httpHandler } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { passkeyRegisterVerifySchema } from '../lib/http/passkey-requests';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { finishRegistration } from '../lib/passkeys/passkey-service';
import declaration from './passkey-register-verify.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const principal = requirePrincipal(request);
  const { response, name } = validate(passkeyRegisterVerifySchema, readJsonBody(request));
  const created = await finishRegistration({ ...deps, clock, logger }, principal.sub, principal, response, name, request);
  return json(201, { id: created.id, name: created.name, created_at: created.created_at });
});
