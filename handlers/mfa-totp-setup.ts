import { mfaCrypto, mfaIssuer, mfaStore } from '../lib/compose/mfa';
import { passkeyPresence } from '../lib/compose/passkeys';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { reauthPolicy } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { json } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { startTotpSetup } from '../lib/mfa/mfa-service';

const ready = parts({ users: userStore, mfa: mfaStore, crypto: mfaCrypto, issuer: mfaIssuer, reauth: reauthPolicy, hasPasskey: passkeyPresence });

export const handler = httpHandler(ready, async (request, deps) => {
  const principal = requirePrincipal(request);
  const setup = await startTotpSetup({ ...deps, clock }, principal.sub, principal);
  return json(200, { secret: setup.secret, otpauth_uri: setup.otpauthUri, qr_svg: setup.qrSvg });
});
