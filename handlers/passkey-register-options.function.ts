import { httpFunction, route } from '../lib/compose/declaration';
import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/parts/passkeys';
import { reauthPolicy } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'passkeyRegisterOptions',
  routes: [route('post', 'auth/passkeys/register/options', 'jwt')],
  parts: {
    // PutItem: a challenge; GetItem/BatchGetItem: the account, its passkey list and passkeys.
    users: users('GetItem', 'BatchGetItem', 'PutItem'),
    passkeys: passkeyStore,
    challenges: challengeStore,
    hashes: passkeyHasher,
    webauthn: webAuthnSettings,
    reauth: reauthPolicy,
  },
});
