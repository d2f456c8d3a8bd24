import { factorNotifier } from '../lib/compose/factor-notices';
import { passkeyStore } from '../lib/compose/passkeys';
import { clock, countSessionEvent, httpHandler, parts } from '../lib/compose/runtime';
import { reauthPolicy } from '../lib/compose/sessions';
import { sessionStore, userStore } from '../lib/compose/storage';
import { NotFoundError } from '../lib/core/errors';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { removePasskey } from '../lib/passkeys/passkey-management';
import { credentialIdSchema } from '../lib/passkeys/response-schema';
import { endSessionsOfPasskey } from '../lib/sessions/session-service';

const ready = parts({ users: userStore, passkeys: passkeyStore, sessions: sessionStore, reauth: reauthPolicy, notify: factorNotifier });

export const handler = httpHandler(ready, async (request, { sessions, ...deps }, { logger, deadline }) => {
  const principal = requirePrincipal(request);
  const parsed = credentialIdSchema.safeParse(request.pathParameters.id);
  if (!parsed.success) throw new NotFoundError('The passkey');
  const endSessionsOf = (userId: string, credentialId: string) => endSessionsOfPasskey({ sessions, clock, count: countSessionEvent }, userId, credentialId, { deadline });
  await removePasskey({ ...deps, clock, logger, endSessionsOfPasskey: endSessionsOf }, principal.sub, principal, parsed.data, request);
  return noContent();
});
