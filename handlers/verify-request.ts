import { requestVerificationEmail } from '../lib/accounts/email-verification';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/accounts';
import { emailSettings, mailer } from '../lib/compose/email';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';

const ready = parts({ users: userStore, changes: accountChanges, oneTimeTokens: oneTimeTokenCodec, mailer, email: emailSettings });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  await requestVerificationEmail({ ...deps, clock, logger }, sub);
  return json(202, { status: 'accepted' });
});
