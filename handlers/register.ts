import { registerWithVerification } from '../lib/accounts/email-verification';
import { accountChanges, oneTimeTokenCodec } from '../lib/compose/accounts';
import { emailOutbox, emailSettings, mailer } from '../lib/compose/email';
import { clock, emailPolicy, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { passwordHasher } from '../lib/compose/sessions';
import { json, readJsonBody } from '../lib/http/http';
import { credentialsSchema, validate } from '../lib/http/validation';

const bodySchema = credentialsSchema(emailPolicy);
const ready = parts({ users: userStore, passwords: passwordHasher });
// Apart: a registration never fails over its verification email, not even over its settings.
const emailParts = parts({ changes: accountChanges, oneTimeTokens: oneTimeTokenCodec, mailer, email: emailSettings, outbox: emailOutbox });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { email, password } = validate(bodySchema, readJsonBody(request));
  const { userId: _userId, ...account } = await registerWithVerification({ ...deps, clock, logger, emailParts }, email, password);
  return json(201, account);
});
