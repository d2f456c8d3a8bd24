import { httpHandler } from '../lib/handler';
import { json } from '../lib/http/http';

// Short enough that a key added for rotation is seen by verifiers well before it signs.
const JWKS_MAX_AGE_SECONDS = 300;

export const handler = httpHandler(async (_request, app) =>
  json(200, { keys: app.keySet.publicJwks }, { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` }),
);
