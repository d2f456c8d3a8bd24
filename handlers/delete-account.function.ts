import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges } from '../lib/compose/parts/accounts';
import { mfaDataPurger } from '../lib/compose/parts/mfa';
import { passkeyPurger } from '../lib/compose/parts/passkeys';
import { attemptLimits, passwordHasher } from '../lib/compose/parts/sessions';
import { sessionEnder, users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'deleteAccount',
  routes: [route('delete', 'me', 'jwt')],
  // Hashes a password (argon2id): login's size.
  memory: 512,
  parts: {
    // The passkey purge deletes each passkey and the account's list in one transaction of conditional deletes.
    users: users('GetItem', 'UpdateItem', 'DeleteItem'),
    sessions: sessionEnder,
    changes: accountChanges,
    passwords: passwordHasher,
    limits: attemptLimits,
    purgeMfa: mfaDataPurger,
    purgePasskeys: passkeyPurger,
  },
});
