/** Public keys only (JWT_VERIFICATION_KEYS and ID_TOKEN_PUBLIC_KEYS, or the public half of a local key): no secret is read. */
import { loadIdTokenKeys, loadTokenConfig, readAlgorithm } from '../../core/config';
import { importVerificationKeys, type PublicJwk } from '../../tokens/keys';
import { part } from '../part';

export const publicJwks = /* @__PURE__ */ part({
  name: 'publicJwks',
  needs: { publishes: ['idTokenPublicKeys'] },
  build: (_, { env }): PublicJwk[] => {
    // HS256's key is secret: nothing of it to publish, and this function is never given it.
    const accessTokenKeys = readAlgorithm(env) === 'HS256' ? [] : importVerificationKeys(loadTokenConfig(env, { requirePrivateKey: false })).publicJwks;
    const idTokenKeys = importVerificationKeys(loadIdTokenKeys(env)).publicJwks;
    const kids = new Set(accessTokenKeys.map((key) => key.kid));
    const clash = idTokenKeys.find((key) => kids.has(key.kid));
    // A verifier picks the key by kid alone: one kid must never name two keys.
    if (clash) throw new Error(`the ID-token key "${clash.kid}" has the kid of an access-token key`);
    return [...accessTokenKeys, ...idTokenKeys];
  },
});
