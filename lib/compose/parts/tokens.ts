/** Token parts: the keyed-hash codecs (hash key) and the access-token signer (signing key). */
import { createSessionCursorCodec } from '../../sessions/session-cursor';
import { createAccessTokenIssuer } from '../../tokens/access-token-issuer';
import { importSigningKey } from '../../tokens/keys';
import { createRefreshTokenCodec } from '../../tokens/refresh-token';
import { part } from '../part';
import { keyring, signingConfig } from '../secrets';

export const refreshTokenCodec = /* @__PURE__ */ part({ name: 'refreshTokenCodec', uses: { keyring }, build: (deps) => createRefreshTokenCodec(deps.keyring) });

export const sessionCursors = /* @__PURE__ */ part({ name: 'sessionCursors', uses: { keyring }, build: (deps) => createSessionCursorCodec(deps.keyring) });

/** Signs access tokens: the only part that reads the signing key. */
export const accessTokenSigner = /* @__PURE__ */ part({
  name: 'accessTokenSigner',
  uses: { config: signingConfig },
  build: async ({ config }, { clock }) =>
    createAccessTokenIssuer({
      signingKey: await importSigningKey(config),
      issuer: config.issuer,
      audience: config.audience,
      ttlSeconds: config.accessTokenTtlSeconds,
      clock,
    }),
});
