import { clock, httpHandler } from '../lib/compose/runtime';
import { json, readJsonBody } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { readReauthenticationProof } from '../lib/http/reauth-requests';
import { provePassword } from '../lib/mfa/password-proof';
import { provePasskey } from '../lib/passkeys/passkey-service';
import { reauthenticate } from '../lib/reauth/reauthenticate';
import declaration from './reauthenticate.function';

export const handler = httpHandler(declaration, async (request, { sessions, ...deps }, { logger }) => {
  const { sub, sid } = requirePrincipal(request);
  const proof = readReauthenticationProof(readJsonBody(request));
  const checks = { ...deps, clock, logger };
  const { accessToken, expiresIn } = await reauthenticate(
    {
      provePassword: (userId, password, client) => provePassword(checks, userId, password, client),
      provePasskey: (userId, passkey, client) => provePasskey(checks, userId, passkey, client),
      sessions,
      logger,
    },
    { userId: sub, sessionId: sid },
    proof,
    request,
  );
  return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn });
});
