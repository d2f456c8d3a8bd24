/** MFA parts: the MFA store, the keyed parts (from the hash key), the issuer name, the login hand-over. */
import { createDynamoDbMfaStore } from '../../aws/dynamodb-mfa-store';
import { loadMfaConfig } from '../../core/config';
import { createMfaCrypto } from '../../mfa/mfa-crypto';
import { createSecondFactorStarter } from '../../mfa/mfa-login-start';
import { forgetUnprovenTotp, purgeMfaData } from '../../mfa/mfa-purge';
import type { MfaStore } from '../../mfa/mfa-store';
import { part } from '../part';
import { hashKeys } from '../secrets';
import { documentClient, storageConfig } from './storage';

export const mfaStore = /* @__PURE__ */ part({
  name: 'mfaStore',
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): MfaStore => createDynamoDbMfaStore(client, config.usersTable),
});
export const mfaCrypto = /* @__PURE__ */ part({ name: 'mfaCrypto', uses: { keys: hashKeys }, build: ({ keys }) => createMfaCrypto(keys.current, keys.previous) });
export const mfaIssuer = /* @__PURE__ */ part({ name: 'mfaIssuer', build: (_, { env }) => loadMfaConfig(env).issuerName });
/** A login on a TOTP account hands over to MFA: one PutItem of the MFA token. */
export const secondFactorStarter = /* @__PURE__ */ part({
  name: 'secondFactorStarter',
  needs: { tables: { users: ['PutItem'] } },
  uses: { mfa: mfaStore, crypto: mfaCrypto },
  build: (deps, { clock }) => createSecondFactorStarter({ ...deps, clock }),
});

/** DELETE /me's purger for MFA data: `(userId) => Promise<void>`. */
export const mfaDataPurger = /* @__PURE__ */ part({ name: 'mfaDataPurger', uses: { mfa: mfaStore }, build: (deps) => (userId: string) => purgeMfaData(deps, userId) });

/** A password reset's step for an account whose email was never verified: TOTP enrolled before goes. */
export const unprovenTotpForgetter = /* @__PURE__ */ part({
  name: 'unprovenTotpForgetter',
  uses: { mfa: mfaStore },
  build: (deps) => (account: { id: string; email: string }) => forgetUnprovenTotp(deps, account.id, account.email),
});
