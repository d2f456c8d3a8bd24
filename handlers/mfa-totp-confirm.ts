import { clock, httpHandler } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { totpConfirmSchema } from '../lib/http/mfa-validation';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { confirmTotp } from '../lib/mfa/mfa-service';
import declaration from './mfa-totp-confirm.function';

export const handler = httpHandler(declaration, async (request, { events, ...deps }, { logger, deadline }) => {
  const principal = requirePrincipal(request);
  const { code } = validate(totpConfirmSchema, readJsonBody(request));
  const { recoveryCodes } = await confirmTotp({ ...deps, clock, logger }, principal.sub, principal, code, request);
  // Sessions opened before TOTP was on would keep password-only access: every other one ends.
  await events.endSessions(principal.sub, { except: principal.sid, deadline });
  return json(200, { recovery_codes: recoveryCodes });
});
