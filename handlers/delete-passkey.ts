import { passkeyStore } from '../lib/compose/passkeys';
import { httpHandler, parts } from '../lib/compose/runtime';
import { NotFoundError } from '../lib/core/errors';
import { noContent } from '../lib/http/http';
import { requirePrincipal } from '../lib/http/principal';
import { removePasskey } from '../lib/passkeys/passkey-management';
import { credentialIdSchema } from '../lib/passkeys/response-schema';

const ready = parts({ passkeys: passkeyStore });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const parsed = credentialIdSchema.safeParse(request.pathParameters.id);
  if (!parsed.success) throw new NotFoundError('The passkey');
  await removePasskey({ ...deps, logger }, sub, parsed.data, request);
  return noContent();
});
