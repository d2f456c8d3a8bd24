import { verifyEmail } from '../lib/accounts/email-verification';
import { clock, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { oneTimeTokenBodySchema } from '../lib/http/account-schemas';
import { validate } from '../lib/http/validation';
import declaration from './verify-email.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { token } = validate(oneTimeTokenBodySchema, readJsonBody(request));
  await verifyEmail({ ...deps, clock, logger }, token);
  return noContent();
});
