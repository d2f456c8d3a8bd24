import { passwordLogin } from '../lib/accounts/login';
import { secondFactorStarter } from '../lib/compose/mfa';
import { clock, cookiePathFor, emailPolicy, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { attemptLimits, loginPolicy, passwordHasher, sessionIssuer } from '../lib/compose/sessions';
import { readJsonBody } from '../lib/http/http';
import { tokenResponse } from '../lib/http/token-response';
import { loginSchema, validate } from '../lib/http/validation';

const bodySchema = loginSchema(emailPolicy);
const ready = parts({ users: userStore, passwords: passwordHasher, limits: attemptLimits, sessions: sessionIssuer, policy: loginPolicy, secondFactor: secondFactorStarter });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { email, password, refresh_token_delivery: delivery } = validate(bodySchema, readJsonBody(request));
  const tokens = await passwordLogin({ ...deps, clock, logger }, email, password, request, delivery);
  return tokenResponse(tokens, delivery, cookiePathFor(request));
});
