import { httpFunction, route } from '../lib/compose/declaration';
import { factorNotifier } from '../lib/compose/parts/factor-notices';
import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/parts/passkeys';
import { reauthPolicy } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'passkeyRegisterVerify',
  routes: [route('post', 'auth/passkeys/register/verify', 'jwt')],
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // GetItem/BatchGetItem: the account and its passkeys (the checks before adding one). DeleteItem takes
    // the challenge; the transaction puts the passkey and updates the list. ConditionCheckItem: the account
    // must still exist when the passkey is added (a race with DELETE /me), with the credentials version
    // the challenge was issued under.
    users: users('GetItem', 'BatchGetItem', 'DeleteItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'),
    passkeys: passkeyStore,
    challenges: challengeStore,
    hashes: passkeyHasher,
    webauthn: webAuthnSettings,
    reauth: reauthPolicy,
    notify: factorNotifier,
  },
});
