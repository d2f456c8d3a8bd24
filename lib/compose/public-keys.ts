/** Public keys only (JWT_VERIFICATION_KEYS, or the public half of a local key): no secret is read. */
import { loadTokenConfig, readAlgorithm } from '../core/config';
import { importVerificationKeys } from '../tokens/keys';
import { env, lazy } from './runtime';

export const publicJwks = /* @__PURE__ */ lazy(async () =>
  // HS256's key is secret: nothing to publish, and this function is never given it (contract: an empty list).
  readAlgorithm(env) === 'HS256' ? [] : importVerificationKeys(loadTokenConfig(env, { requirePrivateKey: false })).publicJwks,
);
