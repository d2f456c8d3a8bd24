import { httpHandler, parts } from '../lib/compose/runtime';
import { publicJwks } from '../lib/compose/public-keys';
import { json } from '../lib/http/http';

// Short enough that a key added for rotation is seen by verifiers well before it signs.
const JWKS_MAX_AGE_SECONDS = 300;
const ready = parts({ keys: publicJwks });

export const handler = httpHandler(ready, async (_request, { keys }) =>
  json(200, { keys }, { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` }),
);
