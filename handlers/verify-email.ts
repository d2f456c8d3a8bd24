import { verifyEmail } from '../lib/accounts/email-verification';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/accounts';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { noContent, readJsonBody } from '../lib/http/http';
import { oneTimeTokenBodySchema } from '../lib/http/account-schemas';
import { validate } from '../lib/http/validation';

const ready = parts({ users: userStore, changes: accountChanges, oneTimeTokens: oneTimeTokenCodec });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { token } = validate(oneTimeTokenBodySchema, readJsonBody(request));
  await verifyEmail({ ...deps, clock, logger }, token);
  return noContent();
});
