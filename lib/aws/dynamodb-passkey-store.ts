import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PasskeyRecord, PasskeyStore } from '../passkeys/passkey-store';
import { cancellationCodes, isConditionFailure, translateStorageError } from './dynamodb';
import { credentialsVersionIs, emailKey, passkeyKey, passkeyListKey } from './users-table';

/**
 * Passkeys in the users table (keys in users-table.ts):
 * - `PASSKEY#<credentialId>`: one passkey (userId, publicKey, counter, transports, backedUp,
 *   deviceType, name, createdAt, lastUsedAt, enrolledAmr), so a login finds it with one GetItem;
 * - `PASSKEYS#<userId>`: the account's credential ids (a string set) and a `version` bumped by every
 *   change, so listing needs no scan (GetItem, then BatchGetItem); an add or a removal writes both
 *   items in one transaction, which also caps the set's size;
 * WebAuthn challenges are tickets (lib/passkeys/challenges.ts, dynamodb-ticket-store.ts).
 */

const BATCH_GET_LIMIT = 100;
const BATCH_GET_ROUNDS = 5;
const PURGE_ATTEMPTS = 3;

function toPasskey(item: Record<string, unknown>): PasskeyRecord {
  return {
    credentialId: String(item.credentialId),
    userId: String(item.userId),
    publicKey: String(item.publicKey),
    counter: Number(item.counter),
    transports: Array.isArray(item.transports) ? item.transports.map(String) : [],
    backedUp: item.backedUp === true,
    deviceType: item.deviceType === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    name: String(item.name),
    createdAt: Number(item.createdAt),
    lastUsedAt: typeof item.lastUsedAt === 'number' ? item.lastUsedAt : undefined,
    enrolledAmr: Array.isArray(item.enrolledAmr) ? item.enrolledAmr.map(String) : undefined,
  };
}

export function createDynamoDbPasskeyStore(client: DynamoDBDocumentClient, tableName: string): PasskeyStore {
  const credentialIdsOf = async (userId: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: passkeyListKey(userId), ConsistentRead: true }));
    const ids = Item?.credentialIds instanceof Set ? [...(Item.credentialIds as Set<string>)] : [];
    return { ids, version: typeof Item?.version === 'number' ? Item.version : undefined };
  };

  const getMany = async (ids: readonly string[]): Promise<Record<string, unknown>[]> => {
    const found: Record<string, unknown>[] = [];
    for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = ids.slice(start, start + BATCH_GET_LIMIT).map(passkeyKey);
      for (let round = 0; keys.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) throw new Error('BatchGetItem left keys unprocessed after retries');
        const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
        found.push(...(result.Responses?.[tableName] ?? []));
        keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    }
    return found;
  };

  return {
    async find(credentialId) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: passkeyKey(credentialId), ConsistentRead: true }));
        return Item ? toPasskey(Item) : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async listByUser(userId) {
      try {
        const { ids } = await credentialIdsOf(userId);
        if (ids.length === 0) return [];
        return (await getMany(ids)).map(toPasskey).filter((passkey) => passkey.userId === userId);
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async add(passkey, maxPerAccount, account) {
      const version = credentialsVersionIs(account.credentialsVersion);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...passkeyKey(passkey.credentialId), ...passkey, transports: [...passkey.transports], enrolledAmr: passkey.enrolledAmr && [...passkey.enrolledAmr] },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: passkeyListKey(passkey.userId),
                  UpdateExpression: 'ADD credentialIds :ids, #version :one SET userId = :userId',
                  ConditionExpression: 'attribute_not_exists(credentialIds) OR size(credentialIds) < :max',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':ids': new Set([passkey.credentialId]), ':one': 1, ':userId': passkey.userId, ':max': maxPerAccount },
                },
              },
              // The account still exists (a registration racing DELETE /me cannot leave a passkey
              // behind) and has the credentials version of the challenge (a new password ended it).
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: emailKey(account.email),
                  ConditionExpression: `userId = :userId AND ${version.expression}`,
                  ExpressionAttributeValues: { ':userId': passkey.userId, ...version.values },
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
          }),
        );
        return 'added';
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const [put, list, check] = cancellationCodes(error);
          if (check === 'ConditionalCheckFailed') {
            const item = error.CancellationReasons?.[2]?.Item;
            return item && unmarshall(item).userId === passkey.userId ? 'credentials_changed' : 'account_missing';
          }
          if (put === 'ConditionalCheckFailed') return 'duplicate_credential';
          if (list === 'ConditionalCheckFailed') return 'limit_reached';
        }
        return translateStorageError(error);
      }
    },

    async remove(userId, credentialId) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: passkeyKey(credentialId),
                  ConditionExpression: 'userId = :userId',
                  ExpressionAttributeValues: { ':userId': userId },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: passkeyListKey(userId),
                  UpdateExpression: 'DELETE credentialIds :ids ADD #version :one',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':ids': new Set([credentialId]), ':one': 1 },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof TransactionCanceledException && cancellationCodes(error)[0] === 'ConditionalCheckFailed') return false;
        return translateStorageError(error);
      }
    },

    async recordUse(credentialId, use) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: passkeyKey(credentialId),
            // The counter rule of webauthn.ts (counterAdvances), again at write time against the stored value.
            ConditionExpression: use.counter === 0 ? '#counter = :counter' : '#counter < :counter',
            UpdateExpression: 'SET #counter = :counter, lastUsedAt = :lastUsedAt, backedUp = :backedUp',
            ExpressionAttributeNames: { '#counter': 'counter' },
            ExpressionAttributeValues: { ':counter': use.counter, ':lastUsedAt': use.lastUsedAt, ':backedUp': use.backedUp },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'recorded';
      } catch (error) {
        if (isConditionFailure(error)) return error.Item ? 'counter_not_advanced' : 'missing';
        return translateStorageError(error);
      }
    },

    async removeAllOf(userId) {
      try {
        // The list is deleted only if no passkey was added since it was read; else read it again.
        for (let attempt = 0; attempt < PURGE_ATTEMPTS; attempt++) {
          const { ids, version } = await credentialIdsOf(userId);
          if (version === undefined && ids.length === 0) return;
          try {
            await client.send(
              new TransactWriteCommand({
                TransactItems: [
                  ...ids.map((id) => ({ Delete: { TableName: tableName, Key: passkeyKey(id) } })),
                  {
                    Delete: {
                      TableName: tableName,
                      Key: passkeyListKey(userId),
                      ConditionExpression: version === undefined ? 'attribute_not_exists(#version)' : '#version = :version',
                      ExpressionAttributeNames: { '#version': 'version' },
                      ...(version === undefined ? {} : { ExpressionAttributeValues: { ':version': version } }),
                    },
                  },
                ],
              }),
            );
            return;
          } catch (error) {
            if (!(error instanceof TransactionCanceledException && cancellationCodes(error).includes('ConditionalCheckFailed'))) throw error;
          }
        }
        throw new Error('passkeys of the account kept changing during the purge');
      } catch (error) {
        return translateStorageError(error);
      }
    },
  };
}
