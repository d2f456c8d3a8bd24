import { mfaCrypto, mfaStore } from '../lib/compose/mfa';
import { factorNotifier } from '../lib/compose/factor-notices';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { attemptLimits, passwordHasher } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { json, readJsonBody } from '../lib/http/http';
import { recoveryCodesSchema } from '../lib/http/mfa-validation';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { replaceRecoveryCodes } from '../lib/mfa/mfa-service';

const ready = parts({ users: userStore, passwords: passwordHasher, limits: attemptLimits, mfa: mfaStore, crypto: mfaCrypto, notify: factorNotifier });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const { password } = validate(recoveryCodesSchema, readJsonBody(request));
  const { recoveryCodes } = await replaceRecoveryCodes({ ...deps, clock, logger }, sub, password, request);
  return json(200, { recovery_codes: recoveryCodes });
});
