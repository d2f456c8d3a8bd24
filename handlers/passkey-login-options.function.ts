import { httpFunction, route } from '../lib/compose/declaration';
import { challengeStore, passkeyHasher, passkeyStore, webAuthnSettings } from '../lib/compose/parts/passkeys';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'passkeyLoginOptions',
  routes: [route('post', 'auth/passkeys/login/options')],
  parts: {
    users: users('GetItem', 'BatchGetItem', 'PutItem'),
    passkeys: passkeyStore,
    challenges: challengeStore,
    hashes: passkeyHasher,
    webauthn: webAuthnSettings,
  },
});
