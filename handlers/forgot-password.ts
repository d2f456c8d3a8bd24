import { setTimeout as sleep } from 'node:timers/promises';
import { FORGOT_PASSWORD_RESPONSE_FLOOR_MS, requestPasswordReset } from '../lib/accounts/password-recovery';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/accounts';
import { emailOutbox, emailSettings, mailer } from '../lib/compose/email';
import { clock, emailPolicy, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { json, readJsonBody } from '../lib/http/http';
import { forgotPasswordSchema } from '../lib/http/account-schemas';
import { validate } from '../lib/http/validation';

const bodySchema = forgotPasswordSchema(emailPolicy);
const ready = parts({ users: userStore, changes: accountChanges, oneTimeTokens: oneTimeTokenCodec, mailer, email: emailSettings, outbox: emailOutbox });
const floor = { floorMs: FORGOT_PASSWORD_RESPONSE_FLOOR_MS, sleep: (ms: number) => sleep(ms) };

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { email } = validate(bodySchema, readJsonBody(request));
  await requestPasswordReset({ ...deps, clock, logger, floor }, email, request);
  return json(202, { status: 'accepted' });
});
