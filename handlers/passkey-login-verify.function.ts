import { httpFunction, route } from '../lib/compose/declaration';
import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/parts/passkeys';
import { loginPolicy, reauthPolicy, sessionOpener } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'passkeyLoginVerify',
  routes: [route('post', 'auth/passkeys/login/verify')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // GetItem: the passkey and the account; DeleteItem: the challenge; UpdateItem: the counter.
    // ConditionCheckItem: a challenge bound to an account opens a session only while the account
    // still has the credentials version it was issued under (a reset or change ends it).
    users: users('GetItem', 'DeleteItem', 'UpdateItem', 'ConditionCheckItem'),
    passkeys: passkeyStore,
    challenges: challengeStore,
    hashes: passkeyHasher,
    webauthn: webAuthnSettings,
    sessions: sessionOpener,
    policy: loginPolicy,
    reauth: reauthPolicy,
  },
});
