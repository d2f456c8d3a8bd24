import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { emailSettings, failedEmailKeeper, mailer } from '../lib/compose/parts/email';
import { passwordHasher } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'register',
  routes: [route('post', 'auth/register')],
  memory: 512,
  parts: {
    // PutItem: the account (a transaction of two puts) and its verification token (the token's ticket and the
    // per-user item naming it, after GetItem reads that item for the throttle); DeleteItem undoes the token when the email fails.
    users: users('GetItem', 'PutItem', 'DeleteItem'),
    passwords: passwordHasher,
  },
  // Apart: a registration never fails over its verification email, not even over its settings.
  apart: { changes: accountChanges, oneTimeTokens: oneTimeTokenCodec, mailer, email: emailSettings, outbox: failedEmailKeeper },
});
