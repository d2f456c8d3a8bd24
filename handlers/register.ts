import { registerWithVerification } from '../lib/accounts/email-verification';
import { clock, emailPolicy, httpHandler, partsApart } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { credentialsSchema, validate } from '../lib/http/validation';
import declaration from './register.function';

const bodySchema = credentialsSchema(emailPolicy);
// Apart: a registration never fails over its verification email, not even over its settings.
const emailParts = partsApart(declaration);

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { email, password } = validate(bodySchema, readJsonBody(request));
  const { userId: _userId, ...account } = await registerWithVerification({ ...deps, clock, logger, emailParts }, email, password);
  return json(201, account);
});
