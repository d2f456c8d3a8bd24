/** The SSM secrets, each read only by the parts that state they need it (infra/iam.js grants exactly those). */
import { resolveSecrets, type SecretVariable } from '../aws/secrets';
import { loadHashKeys, loadTokenConfig, type Env } from '../core/config';
import { createKeyring } from '../core/keyring';
import { part } from './part';

export type SecretReader = (env: Env, names: readonly SecretVariable[]) => Promise<Env>;

/** The environment with these secrets filled in: from SSM on AWS, as given locally and in tests. */
export const secretReader = /* @__PURE__ */ part({ name: 'secretReader', build: (): SecretReader => (env, names) => resolveSecrets(env, undefined, names) });

/** The server keys of keyed hashes (current and previous): read only by functions that hash tokens. */
export const hashKeys = /* @__PURE__ */ part({
  name: 'hashKeys',
  needs: { secrets: ['hashKey'] },
  uses: { read: secretReader },
  build: async ({ read }, { env }) => loadHashKeys(await read(env, ['REFRESH_TOKEN_HASH_KEY', 'REFRESH_TOKEN_PREVIOUS_HASH_KEY'])),
});

/** Every keyed hash of the service, under the current hash key and, during a rotation, the previous one. */
export const keyring = /* @__PURE__ */ part({ name: 'keyring', uses: { keys: hashKeys }, build: ({ keys }) => createKeyring(keys.current, keys.previous) });

/** The signing key's configuration: read only by functions that issue access tokens. */
export const signingConfig = /* @__PURE__ */ part({
  name: 'signingConfig',
  needs: { secrets: ['signingKey'] },
  uses: { read: secretReader },
  build: async ({ read }, { env }) => loadTokenConfig(await read(env, ['JWT_PRIVATE_KEY']), { requirePrivateKey: true }),
});
