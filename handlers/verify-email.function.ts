import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { users } from '../lib/compose/parts/storage';

export default httpFunction({
  name: 'verifyEmail',
  routes: [route('post', 'auth/email/verify')],
  parts: {
    users: users('GetItem', 'UpdateItem'),
    changes: accountChanges,
    oneTimeTokens: oneTimeTokenCodec,
  },
});
