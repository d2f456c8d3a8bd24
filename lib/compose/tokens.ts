/** Token parts: the keyed-hash codecs (hash key) and the access-token signer (signing key). */
import { loadHashKeys, loadTokenConfig } from '../core/config';
import { createKeyring } from '../core/keyring';
import { createSessionCursorCodec } from '../sessions/session-cursor';
import { createAccessTokenIssuer } from '../tokens/access-token-issuer';
import { importSigningKey } from '../tokens/keys';
import { createRefreshTokenCodec } from '../tokens/refresh-token';
import { clock, lazy, secrets } from './runtime';

/** The server keys of keyed hashes: read from SSM only by functions that hash tokens. */
export const hashKeys = /* @__PURE__ */ lazy(async () => loadHashKeys(await secrets('REFRESH_TOKEN_HASH_KEY', 'REFRESH_TOKEN_PREVIOUS_HASH_KEY')));

/** Every keyed hash of the service, under the current hash key and, during a rotation, the previous one. */
export const keyring = /* @__PURE__ */ lazy(async () => {
  const keys = await hashKeys();
  return createKeyring(keys.current, keys.previous);
});

export const refreshTokenCodec = /* @__PURE__ */ lazy(async () => createRefreshTokenCodec(await keyring()));

export const sessionCursors = /* @__PURE__ */ lazy(async () => createSessionCursorCodec(await keyring()));

/** Signs access tokens: the only part that reads the signing key. */
export const accessTokenSigner = /* @__PURE__ */ lazy(async () => {
  const config = loadTokenConfig(await secrets('JWT_PRIVATE_KEY'), { requirePrivateKey: true });
  return createAccessTokenIssuer({
    signingKey: await importSigningKey(config),
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.accessTokenTtlSeconds,
    clock,
  });
});
