import { clock, emailPolicy, httpHandler } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { passkeyLoginOptionsSchema } from '../lib/http/passkey-requests';
import { validate } from '../lib/http/validation';
import { startLogin } from '../lib/passkeys/passkey-service';
import declaration from './passkey-login-options.function';

const bodySchema = passkeyLoginOptionsSchema(emailPolicy);

export const handler = httpHandler(declaration, async (request, deps) => {
  const { email } = validate(bodySchema, readJsonBody(request));
  return json(200, await startLogin({ ...deps, clock }, email));
});
