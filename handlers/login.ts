import { httpHandler } from '../lib/handler';
import { readJsonBody } from '../lib/http';
import { tokenResponse } from '../lib/token-response';
import { loginSchema, validate } from '../lib/validation';

export const handler = httpHandler(async (request, app) => {
  const { email, password, refresh_token_delivery: delivery } = validate(loginSchema, readJsonBody(request));
  const tokens = await app.sessions.login(email, password, request);
  return tokenResponse(tokens, delivery, request.stage);
});
