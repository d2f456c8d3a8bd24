import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { emailSettings, failedEmailKeeper, mailer } from '../lib/compose/parts/email';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'forgotPassword',
  routes: [route('post', 'auth/password/forgot')],
  parts: {
    users: users('GetItem', 'PutItem', 'DeleteItem'),
    changes: accountChanges,
    oneTimeTokens: oneTimeTokenCodec,
    mailer,
    email: emailSettings,
    outbox: failedEmailKeeper,
  },
});
