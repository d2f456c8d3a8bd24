import { clock, httpHandler } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { recoveryCodesSchema } from '../lib/http/mfa-validation';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { replaceRecoveryCodes } from '../lib/mfa/mfa-service';
import declaration from './mfa-recovery-codes.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const { password } = validate(recoveryCodesSchema, readJsonBody(request));
  const { recoveryCodes } = await replaceRecoveryCodes({ ...deps, clock, logger }, sub, password, request);
  return json(200, { recovery_codes: recoveryCodes });
});
