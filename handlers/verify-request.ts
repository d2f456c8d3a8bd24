import { requestVerificationEmail } from '../lib/accounts/email-verification';
import { clock, httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import declaration from './verify-request.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  await requestVerificationEmail({ ...deps, clock, logger }, sub);
  return json(202, { status: 'accepted' });
});
