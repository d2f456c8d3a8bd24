import { httpFunction, route } from '../lib/compose/declaration';
import { mfaCrypto, mfaStore } from '../lib/compose/parts/mfa';
import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/parts/passkeys';
import { attemptLimits, passwordHasher, reauthPolicy, sessionIssuer } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'reauthenticate',
  routes: [route('post', 'auth/reauthenticate', 'jwt')],
  // Hashes a password (argon2id): login's size.
  memory: 512,
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // GetItem: the account, its TOTP state, the passkey; UpdateItem: the login throttle, the spent
    // code, the passkey's counter; DeleteItem: the throttle's reset, the passkey challenge.
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    passwords: passwordHasher,
    limits: attemptLimits,
    mfa: mfaStore,
    crypto: mfaCrypto,
    reauth: reauthPolicy,
    passkeys: passkeyStore,
    challenges: challengeStore,
    hashes: passkeyHasher,
    webauthn: webAuthnSettings,
    // One conditional write on the caller's session.
    sessions: sessionIssuer,
  },
});
