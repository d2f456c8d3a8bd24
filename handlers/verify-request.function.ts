import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { emailSettings, mailer } from '../lib/compose/parts/email';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'verifyRequest',
  routes: [route('post', 'auth/email/verify-request', 'jwt')],
  parts: {
    // PutItem stores a one-time token, its ticket and the per-user item naming it (throttled by its sentAt);
    // DeleteItem/PutItem undo it when the email fails.
    users: users('GetItem', 'PutItem', 'DeleteItem'),
    changes: accountChanges,
    oneTimeTokens: oneTimeTokenCodec,
    mailer,
    email: emailSettings,
  },
});
