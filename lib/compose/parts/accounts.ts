/** Account-feature parts: the store of one-time tokens and account changes, and the token codec (hash key). */
import type { AccountChangeStore } from '../../accounts/account-change-store';
import { createDynamoDbAccountChangeStore } from '../../aws/dynamodb-account-change-store';
import { createOneTimeTokenCodec } from '../../tokens/one-time-token';
import { featureHooks } from '../lifecycle';
import { part } from '../part';
import { keyring } from '../secrets';
import { documentClient, storageConfig } from './storage';

export const accountChanges = /* @__PURE__ */ part({
  name: 'accountChanges',
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): AccountChangeStore => createDynamoDbAccountChangeStore(client, config.usersTable),
});

/** Reads the hash key: only the functions that mint or check one-time tokens use it. */
export const oneTimeTokenCodec = /* @__PURE__ */ part({ name: 'oneTimeTokenCodec', uses: { keyring }, build: (deps) => createOneTimeTokenCodec(deps.keyring) });

/** One-time tokens (email verification, password reset) go with the account. */
export const oneTimeTokenHooks = /* @__PURE__ */ featureHooks({
  feature: 'oneTimeTokens',
  phase: 'data',
  uses: accountChanges,
  on: { deleted: (changes) => (account) => changes.purgeTokens(account.id) },
});
