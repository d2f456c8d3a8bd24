import { changePassword } from '../lib/accounts/password-change';
import { accountChanges } from '../lib/compose/accounts';
import { emailOutbox, emailSettings, mailer } from '../lib/compose/email';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { sessionStore, userStore } from '../lib/compose/storage';
import { attemptLimits, passwordHasher } from '../lib/compose/sessions';
import { noContent, readJsonBody } from '../lib/http/http';
import { changePasswordSchema } from '../lib/http/account-schemas';
import { requirePrincipal } from '../lib/http/principal';
import { validate } from '../lib/http/validation';
import { endAllSessions } from '../lib/sessions/session-service';

const ready = parts({ users: userStore, sessions: sessionStore, changes: accountChanges, passwords: passwordHasher, limits: attemptLimits, mailer, email: emailSettings, outbox: emailOutbox });

export const handler = httpHandler(ready, async (request, { sessions, ...deps }, { logger, deadline }) => {
  const { sub, sid } = requirePrincipal(request);
  const { current_password: current, new_password: next } = validate(changePasswordSchema, readJsonBody(request));
  const endOtherSessions = (userId: string, except: string) => endAllSessions({ sessions, clock }, userId, 'password_changed', { except, deadline });
  await changePassword({ ...deps, clock, logger, endOtherSessions }, { userId: sub, sessionId: sid }, current, next, request);
  return noContent();
});
