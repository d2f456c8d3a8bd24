import { mfaCrypto, mfaStore } from '../lib/compose/mfa';
import { factorNotifier } from '../lib/compose/factor-notices';
import { passkeyPresence } from '../lib/compose/passkeys';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { attemptLimits, reauthPolicy } from '../lib/compose/sessions';
import { sessionStore, userStore } from '../lib/compose/storage';
import { json, readJsonBody } from '../lib/http/http';
import { totpConfirmSchema } from '../lib/http/mfa-validation';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { confirmTotp } from '../lib/mfa/mfa-service';
import { endAllSessions } from '../lib/sessions/session-service';

const ready = parts({
  users: userStore,
  mfa: mfaStore,
  crypto: mfaCrypto,
  sessions: sessionStore,
  limits: attemptLimits,
  reauth: reauthPolicy,
  hasPasskey: passkeyPresence,
  notify: factorNotifier,
});

export const handler = httpHandler(ready, async (request, { sessions, ...deps }, { logger, deadline }) => {
  const principal = requirePrincipal(request);
  const { code } = validate(totpConfirmSchema, readJsonBody(request));
  const { recoveryCodes } = await confirmTotp({ ...deps, clock, logger }, principal.sub, principal, code, request);
  // Sessions opened before TOTP was on would keep password-only access: every other one ends.
  await endAllSessions({ sessions, clock }, principal.sub, 'second_factor_enabled', { except: principal.sid, deadline });
  return json(200, { recovery_codes: recoveryCodes });
});
