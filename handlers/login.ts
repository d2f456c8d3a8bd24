import { passwordLogin } from '../lib/accounts/login';
import { clock, cookiePathFor, emailPolicy, httpHandler } from '../lib/compose/runtime';
import { readJsonBody } from '../lib/http/http';
import { tokenResponse } from '../lib/http/token-response';
import { loginSchema, validate } from '../lib/http/validation';
import declaration from './login.function';

const bodySchema = loginSchema(emailPolicy);

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { email, password, refresh_token_delivery: delivery } = validate(bodySchema, readJsonBody(request));
  const tokens = await passwordLogin({ ...deps, clock, logger }, email, password, request, delivery);
  return tokenResponse(tokens, delivery, cookiePathFor(request));
});
