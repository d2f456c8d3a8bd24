import { httpFunction, route } from '../lib/compose/declaration';
import { mfaCrypto, mfaIssuer, mfaStore } from '../lib/compose/parts/mfa';
import { passkeyPresence } from '../lib/compose/parts/passkeys';
import { reauthPolicy } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'mfaTotpSetup',
  routes: [route('post', 'auth/mfa/totp/setup', 'jwt')],
  parts: {
    users: users('GetItem', 'PutItem'),
    mfa: mfaStore,
    crypto: mfaCrypto,
    issuer: mfaIssuer,
    reauth: reauthPolicy,
    hasPasskey: passkeyPresence,
  },
});
