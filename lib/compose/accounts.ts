/** Account-feature parts: the store of one-time tokens and account changes, and the token codec (hash key). */
import type { AccountChangeStore } from '../accounts/account-change-store';
import { createDynamoDbAccountChangeStore } from '../aws/dynamodb-account-change-store';
import { createOneTimeTokenCodec } from '../tokens/one-time-token';
import { lazy } from './runtime';
import { documentClient, storageConfig } from './storage';
import { keyring } from './tokens';

export const accountChanges = /* @__PURE__ */ lazy((): AccountChangeStore => createDynamoDbAccountChangeStore(documentClient(), storageConfig().usersTable));

/** Reads the hash key: only the functions that mint or check one-time tokens use it. */
export const oneTimeTokenCodec = /* @__PURE__ */ lazy(async () => createOneTimeTokenCodec(await keyring()));
