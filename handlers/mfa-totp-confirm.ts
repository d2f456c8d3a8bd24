import { mfaCrypto, mfaStore } from '../lib/compose/mfa';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { json, readJsonBody } from '../lib/http/http';
import { totpConfirmSchema } from '../lib/http/mfa-validation';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { confirmTotp } from '../lib/mfa/mfa-service';

const ready = parts({ users: userStore, mfa: mfaStore, crypto: mfaCrypto });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const { code } = validate(totpConfirmSchema, readJsonBody(request));
  const { recoveryCodes } = await confirmTotp({ ...deps, clock, logger }, sub, code, request);
  return json(200, { recovery_codes: recoveryCodes });
});
