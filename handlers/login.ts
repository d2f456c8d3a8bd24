import { httpHandler } from '../lib/handler';
import { readJsonBody } from '../lib/http/http';
import { tokenResponse } from '../lib/http/token-response';
import { loginSchema, validate } from '../lib/http/validation';

export const handler = httpHandler(async (request, app) => {
  const { email, password, refresh_token_delivery: delivery } = validate(loginSchema, readJsonBody(request));
  const tokens = await app.sessions.login(email, password, request);
  return tokenResponse(tokens, delivery, request.stage);
});
