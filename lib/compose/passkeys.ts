/** Passkey parts: WebAuthn settings, the passkey and challenge stores, and the keyed hashes of challenges. */
import { createDynamoDbPasskeyStore } from '../aws/dynamodb-passkey-store';
import { createChallengeStore } from '../passkeys/challenges';
import { loadWebAuthnConfig } from '../core/config';
import { createPasskeyHasher } from '../passkeys/passkey-hashes';
import { purgePasskeys } from '../passkeys/passkey-management';
import type { ChallengeStore, PasskeyStore } from '../passkeys/passkey-store';
import { env, lazy } from './runtime';
import { documentClient, storageConfig, ticketStore } from './storage';
import { keyring } from './tokens';

export const webAuthnSettings = /* @__PURE__ */ lazy(() => loadWebAuthnConfig(env));
export const passkeyStore = /* @__PURE__ */ lazy((): PasskeyStore => createDynamoDbPasskeyStore(documentClient(), storageConfig().usersTable));
export const challengeStore = /* @__PURE__ */ lazy((): ChallengeStore => createChallengeStore(ticketStore()));
/** Reads the hash key (SSM on AWS): only the functions that issue or take challenges use it. */
export const passkeyHasher = /* @__PURE__ */ lazy(async () => createPasskeyHasher(await keyring()));

/** For DELETE /me: `(userId) => Promise<void>` that removes every passkey of the account. */
export const passkeyPurger = /* @__PURE__ */ lazy(async () => {
  const passkeys = await passkeyStore();
  return (userId: string): Promise<void> => purgePasskeys({ passkeys }, userId);
});

/** Whether an account has a passkey: adding TOTP to one that has needs a sign-in with a second factor. */
export const passkeyPresence = /* @__PURE__ */ lazy(async () => {
  const passkeys = await passkeyStore();
  return async (userId: string): Promise<boolean> => (await passkeys.listByUser(userId)).length > 0;
});
