import { mfaCrypto, mfaStore } from '../lib/compose/mfa';
import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/passkeys';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { attemptLimits, passwordHasher, reauthPolicy, sessionIssuer } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { json, readJsonBody } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { readReauthenticationProof } from '../lib/http/reauth-requests';
import { provePassword } from '../lib/mfa/password-proof';
import { provePasskey } from '../lib/passkeys/passkey-service';
import { reauthenticate } from '../lib/reauth/reauthenticate';

const ready = parts({
  users: userStore,
  passwords: passwordHasher,
  limits: attemptLimits,
  mfa: mfaStore,
  crypto: mfaCrypto,
  reauth: reauthPolicy,
  passkeys: passkeyStore,
  challenges: challengeStore,
  hashes: passkeyHasher,
  webauthn: webAuthnSettings,
  sessions: sessionIssuer,
});

export const handler = httpHandler(ready, async (request, { sessions, ...deps }, { logger }) => {
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
