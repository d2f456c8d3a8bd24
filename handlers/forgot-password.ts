import { setTimeout as sleep } from 'node:timers/promises';
import { FORGOT_PASSWORD_RESPONSE_FLOOR_MS, requestPasswordReset } from '../lib/accounts/password-recovery';
import { clock, emailPolicy, httpHandler } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { forgotPasswordSchema } from '../lib/http/account-schemas';
import { validate } from '../lib/http/validation';
import declaration from './forgot-password.function';

const bodySchema = forgotPasswordSchema(emailPolicy);
const floor = { floorMs: FORGOT_PASSWORD_RESPONSE_FLOOR_MS, sleep: (ms: number) => sleep(ms) };

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { email } = validate(bodySchema, readJsonBody(request));
  await requestPasswordReset({ ...deps, clock, logger, floor }, email, request);
  return json(202, { status: 'accepted' });
});
