import { clock, httpHandler } from '../lib/compose/runtime';
import { noContent, readJsonBody } from '../lib/http/http';
import { totpDisableSchema } from '../lib/http/mfa-validation';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { disableTotp } from '../lib/mfa/mfa-service';
import declaration from './mfa-totp-disable.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const { password, code, recovery_code: recoveryCode } = validate(totpDisableSchema, readJsonBody(request));
  // The schema lets exactly one of the two through.
  await disableTotp({ ...deps, clock, logger }, sub, password, code !== undefined ? { code } : { recoveryCode: recoveryCode ?? '' }, request);
  return noContent();
});
