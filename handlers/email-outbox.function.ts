import { scheduledFunction } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { emailOutbox, emailSettings, mailer } from '../lib/compose/parts/email';
import { users } from '../lib/compose/parts/storage';

/** Sends again, every minute, the emails that could not be sent (lib/email/outbox.ts); serverless-offline runs it too. */
export default scheduledFunction({
  name: 'emailOutbox',
  schedule: 'rate(1 minute)',
  timeout: 60,
  parts: {
    // GetItem reads the account and its one-time token item; PutItem/DeleteItem issue a fresh token
    // (and undo it when the send fails again).
    users: users('GetItem', 'PutItem', 'DeleteItem'),
    changes: accountChanges,
    oneTimeTokens: oneTimeTokenCodec,
    mailer,
    email: emailSettings,
    outbox: emailOutbox('Query', 'UpdateItem', 'DeleteItem'),
  },
});
