/** MFA parts: the MFA store, the keyed parts (from the hash key), the issuer name, the login hand-over. */
import { createDynamoDbMfaStore } from '../aws/dynamodb-mfa-store';
import { loadMfaConfig } from '../core/config';
import { createMfaCrypto } from '../mfa/mfa-crypto';
import { createSecondFactorStarter } from '../mfa/mfa-login-start';
import { forgetUnprovenTotp, purgeMfaData } from '../mfa/mfa-purge';
import type { MfaStore } from '../mfa/mfa-store';
import { clock, env, lazy } from './runtime';
import { documentClient, storageConfig } from './storage';
import { hashKeys } from './tokens';

export const mfaStore = /* @__PURE__ */ lazy((): MfaStore => createDynamoDbMfaStore(documentClient(), storageConfig().usersTable));
export const mfaCrypto = /* @__PURE__ */ lazy(async () => {
  const keys = await hashKeys();
  return createMfaCrypto(keys.current, keys.previous);
});
export const mfaIssuer = /* @__PURE__ */ lazy(() => loadMfaConfig(env).issuerName);
export const secondFactorStarter = /* @__PURE__ */ lazy(async () => createSecondFactorStarter({ clock, mfa: await mfaStore(), crypto: await mfaCrypto() }));
/** DELETE /me's purger for MFA data: `(userId) => Promise<void>`. */
export const mfaDataPurger = /* @__PURE__ */ lazy(async () => {
  const mfa = await mfaStore();
  return (userId: string) => purgeMfaData({ mfa }, userId);
});

/** A password reset's step for an account whose email was never verified: TOTP enrolled before goes. */
export const unprovenTotpForgetter = /* @__PURE__ */ lazy(async () => {
  const mfa = await mfaStore();
  return (account: { id: string; email: string }) => forgetUnprovenTotp({ mfa }, account.id, account.email);
});
