/** Passkey parts: WebAuthn settings, the passkey and challenge stores, and the keyed hashes of challenges. */
import { createDynamoDbPasskeyStore } from '../../aws/dynamodb-passkey-store';
import { createChallengeStore } from '../../passkeys/challenges';
import { loadWebAuthnConfig } from '../../core/config';
import { createPasskeyHasher } from '../../passkeys/passkey-hashes';
import { purgePasskeys } from '../../passkeys/passkey-management';
import type { ChallengeStore, PasskeyStore } from '../../passkeys/passkey-store';
import { featureHooks } from '../lifecycle';
import { part } from '../part';
import { keyring } from '../secrets';
import { documentClient, storageConfig, ticketStore } from './storage';

export const webAuthnSettings = /* @__PURE__ */ part({ name: 'webAuthnSettings', build: (_, { env }) => loadWebAuthnConfig(env) });
export const passkeyStore = /* @__PURE__ */ part({
  name: 'passkeyStore',
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): PasskeyStore => createDynamoDbPasskeyStore(client, config.usersTable),
});
export const challengeStore = /* @__PURE__ */ part({ name: 'challengeStore', uses: { tickets: ticketStore }, build: ({ tickets }): ChallengeStore => createChallengeStore(tickets) });
/** Reads the hash key (SSM on AWS): only the functions that issue or take challenges use it. */
export const passkeyHasher = /* @__PURE__ */ part({ name: 'passkeyHasher', uses: { keyring }, build: (deps) => createPasskeyHasher(deps.keyring) });

/** Whether an account has a passkey: adding TOTP to one that has needs a sign-in with a second factor (BatchGetItem). */
export const passkeyPresence = /* @__PURE__ */ part({
  name: 'passkeyPresence',
  needs: { tables: { users: ['BatchGetItem'] } },
  uses: { passkeys: passkeyStore },
  build: ({ passkeys }) => async (userId: string): Promise<boolean> => (await passkeys.listByUser(userId)).length > 0,
});

/** Passkeys on account events: they go with the account, and those enrolled before a first proof of the mailbox go then. */
export const passkeyHooks = /* @__PURE__ */ featureHooks({
  feature: 'passkeys',
  phase: 'data',
  uses: passkeyStore,
  on: {
    deleted: (passkeys) => (account) => purgePasskeys({ passkeys }, account.id),
    mailboxFirstProven: (passkeys) => (account) => purgePasskeys({ passkeys }, account.id),
  },
});
