/** Public keys only (JWT_VERIFICATION_KEYS, or the public half of a local key): no secret is read. */
import { loadTokenConfig } from '../core/config';
import { importVerificationKeys } from '../tokens/keys';
import { env, lazy } from './runtime';

export const publicJwks = /* @__PURE__ */ lazy(async () => (await importVerificationKeys(loadTokenConfig(env, { requirePrivateKey: false }))).publicJwks);
