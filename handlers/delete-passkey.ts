import { passkeyStore } from '../lib/compose/passkeys';
import { httpHandler, parts } from '../lib/compose/runtime';
import { NotFoundError } from '../lib/core/errors';
import { noContent } from '../lib/http/http';
import { CREDENTIAL_ID_PATTERN } from '../lib/http/passkey-requests';
import { requirePrincipal } from '../lib/http/principal';
import { removePasskey } from '../lib/passkeys/passkey-management';

const ready = parts({ passkeys: passkeyStore });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const { sub } = requirePrincipal(request);
  const credentialId = request.pathParameters.id;
  if (!credentialId || !CREDENTIAL_ID_PATTERN.test(credentialId)) throw new NotFoundError('The passkey');
  await removePasskey({ ...deps, logger }, sub, credentialId, request);
  return noContent();
});
