import { httpHandler } from '../lib/compose/runtime';
import { json } from '../lib/http/http';
import declaration from './jwks.function';

// Short enough that a key added for rotation is seen by verifiers well before it signs.
const JWKS_MAX_AGE_SECONDS = 300;

export const handler = httpHandler(declaration, async (_request, { keys }) =>
  json(200, { keys }, { 'Cache-Control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` }),
);
