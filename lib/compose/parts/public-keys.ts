/** Public keys only (JWT_VERIFICATION_KEYS, or the public half of a local key): no secret is read. */
import { loadTokenConfig, readAlgorithm } from '../../core/config';
import { importVerificationKeys } from '../../tokens/keys';
import { part } from '../part';

export const publicJwks = /* @__PURE__ */ part({
  name: 'publicJwks',
  build: (_, { env }) =>
    // HS256's key is secret: nothing to publish, and this function is never given it (contract: an empty list).
    readAlgorithm(env) === 'HS256' ? [] : importVerificationKeys(loadTokenConfig(env, { requirePrivateKey: false })).publicJwks,
});
