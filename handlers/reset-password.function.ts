import { accountEvents } from '../lib/compose/account-events';
import { httpFunction, route } from '../lib/compose/declaration';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/parts/accounts';
import { emailSettings, failedEmailKeeper, mailer } from '../lib/compose/parts/email';
import { passwordHasher } from '../lib/compose/parts/sessions';
import { users } from '../lib/compose/parts/storage';
import { auditTrail } from '../lib/compose/parts/audit';

export default httpFunction({
  name: 'resetPassword',
  routes: [route('post', 'auth/password/reset')],
  // Hashes a password (argon2id): login's size.
  memory: 512,
  parts: {
    // Its security events go to the audit trail (PutItem on the audit table).
    audit: auditTrail,
    // One transaction takes the token's ticket (DeleteItem), requires that it is still the newest token
    // (ConditionCheckItem) and sets the new password (UpdateItem); DeleteItem also clears the login throttle
    // (and, on a first proof of the mailbox, the TOTP and passkeys enrolled before it).
    users: users('GetItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'),
    changes: accountChanges,
    oneTimeTokens: oneTimeTokenCodec,
    passwords: passwordHasher,
    mailer,
    email: emailSettings,
    outbox: failedEmailKeeper,
    events: accountEvents('passwordReset'),
    // A reset that first proves the mailbox: the factors enrolled before it go.
    firstProof: accountEvents('mailboxFirstProven'),
  },
});
