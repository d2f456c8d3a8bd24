import { clock, httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { startTotpSetup } from '../lib/mfa/mfa-service';
import declaration from './mfa-totp-setup.function';

export const handler = httpHandler(declaration, async (request, deps) => {
  const principal = requirePrincipal(request);
  const setup = await startTotpSetup({ ...deps, clock }, principal.sub, principal);
  return json(200, { secret: setup.secret, otpauth_uri: setup.otpauthUri, qr_svg: setup.qrSvg });
});
