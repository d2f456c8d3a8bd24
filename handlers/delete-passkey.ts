import { clock, countSessionEvent, httpHandler } from '../lib/compose/runtime';
import { NotFoundError } from '../lib/core/errors';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { removePasskey } from '../lib/passkeys/passkey-management';
import { credentialIdSchema } from '../lib/passkeys/response-schema';
import { endSessionsOfPasskey } from '../lib/sessions/session-service';
import declaration from './delete-passkey.function';

export const handler = httpHandler(declaration, async (request, { sessions, ...deps }, { logger, deadline }) => {
  const principal = requirePrincipal(request);
  const parsed = credentialIdSchema.safeParse(request.pathParameters.id);
  if (!parsed.success) throw new NotFoundError('The passkey');
  const endSessionsOf = (userId: string, credentialId: string) => endSessionsOfPasskey({ sessions, clock, count: countSessionEvent }, userId, credentialId, { deadline });
  await removePasskey({ ...deps, clock, logger, endSessionsOfPasskey: endSessionsOf }, principal.sub, principal, parsed.data, request);
  return noContent();
});
