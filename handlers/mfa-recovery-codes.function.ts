import { httpFunction, route } from '../lib/compose/declaration';
import { factorNotifier } from '../lib/compose/parts/factor-notices';
import { mfaCrypto, mfaStore } from '../lib/compose/parts/mfa';
import { attemptLimits, passwordHasher } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'mfaRecoveryCodes',
  routes: [route('post', 'auth/mfa/recovery-codes', 'jwt')],
  memory: 512,
  parts: {
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    passwords: passwordHasher,
    limits: attemptLimits,
    mfa: mfaStore,
    crypto: mfaCrypto,
    notify: factorNotifier,
  },
});
