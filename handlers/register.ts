import { register } from '../lib/accounts/account-service';
import { clock, httpHandler, parts } from '../lib/compose/runtime';
import { userStore } from '../lib/compose/storage';
import { passwordHasher } from '../lib/compose/sessions';
import { json, readJsonBody } from '../lib/http/http';
import { credentialsSchema, validate } from '../lib/http/validation';

const ready = parts({ users: userStore, passwords: passwordHasher });

export const handler = httpHandler(ready, async (request, deps) => {
  const { email, password } = validate(credentialsSchema, readJsonBody(request));
  const { userId: _userId, ...account } = await register({ ...deps, clock }, email, password);
  return json(201, account);
});
