import { resetPassword } from '../lib/accounts/password-recovery';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/accounts';
import { emailOutbox, emailSettings, mailer } from '../lib/compose/email';
import { unprovenTotpForgetter } from '../lib/compose/mfa';
import { passkeyPurger } from '../lib/compose/passkeys';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { sessionStore, userStore } from '../lib/compose/storage';
import { passwordHasher } from '../lib/compose/sessions';
import { noContent, readJsonBody } from '../lib/http/http';
import { resetPasswordSchema } from '../lib/http/account-schemas';
import { validate } from '../lib/http/validation';
import { endAllSessions } from '../lib/sessions/session-service';

const ready = parts({ users: userStore, sessions: sessionStore, changes: accountChanges, oneTimeTokens: oneTimeTokenCodec, passwords: passwordHasher, mailer, email: emailSettings, outbox: emailOutbox, forgetTotp: unprovenTotpForgetter, purgePasskeys: passkeyPurger });

export const handler = httpHandler(ready, async (request, { sessions, forgetTotp, purgePasskeys, ...deps }, { logger, deadline }) => {
  const { token, password } = validate(resetPasswordSchema, readJsonBody(request));
  const endSessions = (userId: string) => endAllSessions({ sessions, clock }, userId, 'password_reset', { deadline });
  const forgetUnprovenFactors = [forgetTotp, (account: { id: string }) => purgePasskeys(account.id)];
  await resetPassword({ ...deps, clock, logger, endSessions, forgetUnprovenFactors }, token, password, request);
  return noContent();
});
