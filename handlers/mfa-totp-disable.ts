import { mfaCrypto, mfaStore } from '../lib/compose/mfa';
import { factorNotifier } from '../lib/compose/factor-notices';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { attemptLimits, passwordHasher } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { noContent, readJsonBody } from '../lib/http/http';
import { totpDisableSchema } from '../lib/http/mfa-validation';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { disableTotp } from '../lib/mfa/mfa-service';

const ready = parts({ users: userStore, passwords: passwordHasher, limits: attemptLimits, mfa: mfaStore, crypto: mfaCrypto, notify: factorNotifier });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const { password, code, recovery_code: recoveryCode } = validate(totpDisableSchema, readJsonBody(request));
  // The schema lets exactly one of the two through.
  await disableTotp({ ...deps, clock, logger }, sub, password, code !== undefined ? { code } : { recoveryCode: recoveryCode ?? '' }, request);
  return noContent();
});
