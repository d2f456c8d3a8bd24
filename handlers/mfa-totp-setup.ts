import { mfaCrypto, mfaIssuer, mfaStore } from '../lib/compose/mfa';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { startTotpSetup } from '../lib/mfa/mfa-service';

const ready = parts({ users: userStore, mfa: mfaStore, crypto: mfaCrypto, issuer: mfaIssuer });

export const handler = httpHandler(ready, async (request, deps) => {
  const { sub } = requirePrincipal(request);
  const setup = await startTotpSetup({ ...deps, clock }, sub);
  return json(200, { secret: setup.secret, otpauth_uri: setup.otpauthUri, qr_svg: setup.qrSvg });
});
