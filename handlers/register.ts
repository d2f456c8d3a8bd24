import { httpHandler } from '../lib/handler';
import { json, readJsonBody } from '../lib/http/http';
import { credentialsSchema, validate } from '../lib/http/validation';

export const handler = httpHandler(async (request, app) => {
  const { email, password } = validate(credentialsSchema, readJsonBody(request));
  return json(201, await app.accounts.register(email, password));
});
