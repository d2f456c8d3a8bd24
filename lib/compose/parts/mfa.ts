/** MFA parts: the MFA store, the keyed parts (from the hash key), the issuer name, the login hand-over. */
import { createDynamoDbMfaStore } from '../../aws/dynamodb-mfa-store';
import { loadMfaConfig } from '../../core/config';
import { createMfaCrypto } from '../../mfa/mfa-crypto';
import { createSecondFactorStarter } from '../../mfa/mfa-login-start';
import { forgetUnprovenTotp, purgeMfaData } from '../../mfa/mfa-purge';
import type { MfaStore } from '../../mfa/mfa-store';
import { featureHooks } from '../lifecycle';
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

/** MFA on account events: its data goes with the account; TOTP enrolled before a first proof of the mailbox goes too. */
export const mfaHooks = /* @__PURE__ */ featureHooks({
  feature: 'mfa',
  phase: 'data',
  uses: mfaStore,
  on: {
    deleted: (mfa) => (account) => purgeMfaData({ mfa }, account.id),
    mailboxFirstProven: (mfa) => (account) => forgetUnprovenTotp({ mfa }, account.id, account.email),
  },
});
