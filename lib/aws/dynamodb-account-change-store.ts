import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ONE_TIME_PURPOSES, retryAfterSeconds, type AccountChangeStore, type StoredOneTimeToken } from '../accounts/account-change-store';
import type { OneTimePurpose } from '../tokens/one-time-token';
import { cancellationCodes, conditionalWrite, isConditionFailure, translateStorageError } from './dynamodb';
import { credentialsVersionIs, emailKey, NEXT_CREDENTIALS_VERSION, oneTimeKey, ttlOf, userKey } from './users-table';

/**
 * The account features' items in the users table:
 * - `ONE_TIME#<purpose>#<userId>`: the keyed hash of the user's newest token of that purpose
 *   (`tokenHash`, removed once used), `expiresAt`, `sentAt` (the email throttle), the account's
 *   `credentialsVersion` when it was issued, and `ttl`;
 * - the account items `EMAIL#` / `USER#` of dynamodb-user-store.ts, changed or deleted here.
 */

/** Concurrent transactions on one item cancel each other (TransactionConflict); the loser looks again. */
const CONFLICT_RETRIES = 4;

const toStored = (item: Record<string, unknown>): StoredOneTimeToken => ({
  tokenHash: typeof item.tokenHash === 'string' ? item.tokenHash : undefined,
  expiresAt: Number(item.expiresAt),
  sentAt: Number(item.sentAt),
  credentialsVersion: typeof item.credentialsVersion === 'number' ? item.credentialsVersion : 0,
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createDynamoDbAccountChangeStore(client: DynamoDBDocumentClient, tableName: string): AccountChangeStore {
  const itemOf = (purpose: OneTimePurpose, userId: string, token: StoredOneTimeToken) => ({
    ...oneTimeKey(purpose, userId),
    userId,
    ...(token.tokenHash ? { tokenHash: token.tokenHash } : {}),
    expiresAt: token.expiresAt,
    sentAt: token.sentAt,
    credentialsVersion: token.credentialsVersion,
    ttl: ttlOf(token.expiresAt),
  });

  return {
    async issueToken(purpose, userId, { tokenHash, expiresAt, credentialsVersion }, now, minIntervalMs) {
      try {
        const { Attributes } = await client.send(
          new PutCommand({
            TableName: tableName,
            Item: itemOf(purpose, userId, { tokenHash, expiresAt, sentAt: now, credentialsVersion }),
            ConditionExpression: 'attribute_not_exists(pk) OR sentAt <= :cutoff',
            ExpressionAttributeValues: { ':cutoff': now - minIntervalMs },
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { issued: true, previous: Attributes ? toStored(Attributes) : undefined };
      } catch (error) {
        if (isConditionFailure(error) && error.Item) return { issued: false, retryAfterSeconds: retryAfterSeconds(toStored(unmarshall(error.Item)).sentAt, now, minIntervalMs) };
        return translateStorageError(error);
      }
    },

    async restoreToken(purpose, userId, tokenHash, previous) {
      const ours = { ConditionExpression: 'tokenHash = :ours', ExpressionAttributeValues: { ':ours': tokenHash } };
      try {
        if (previous) await client.send(new PutCommand({ TableName: tableName, Item: itemOf(purpose, userId, previous), ...ours }));
        else await client.send(new DeleteCommand({ TableName: tableName, Key: oneTimeKey(purpose, userId), ...ours }));
      } catch (error) {
        // A newer token replaced ours meanwhile: it is not ours to undo.
        if (!isConditionFailure(error)) translateStorageError(error);
      }
    },

    async findToken(purpose, userId) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: oneTimeKey(purpose, userId), ConsistentRead: true }));
        return Item ? toStored(Item) : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async redeemToken(purpose, userId, tokenHashes, now, { email, passwordHash, credentialsVersion }) {
      const hashValues = Object.fromEntries(tokenHashes.map((hash, index) => [`:h${index}`, hash]));
      const version = credentialsVersion === undefined ? undefined : credentialsVersionIs(credentialsVersion);
      const newPassword = passwordHash ? { ':passwordHash': passwordHash, ...NEXT_CREDENTIALS_VERSION.values } : {};
      const command = new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: oneTimeKey(purpose, userId),
              ConditionExpression: `tokenHash IN (${Object.keys(hashValues).join(', ')}) AND expiresAt > :now`,
              UpdateExpression: 'REMOVE tokenHash',
              ExpressionAttributeValues: { ...hashValues, ':now': now },
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: emailKey(email),
              ConditionExpression: version ? `userId = :userId AND ${version.expression}` : 'userId = :userId',
              UpdateExpression: passwordHash ? `SET emailVerified = :verified, passwordHash = :passwordHash ${NEXT_CREDENTIALS_VERSION.clause}` : 'SET emailVerified = :verified',
              ExpressionAttributeValues: { ':userId': userId, ':verified': true, ...newPassword, ...version?.values },
            },
          },
        ],
      });
      for (let attempt = 0; ; attempt++) {
        try {
          await client.send(command);
          return true;
        } catch (error) {
          const reasons = cancellationCodes(error);
          if (reasons.includes('ConditionalCheckFailed')) return false;
          if (reasons.includes('TransactionConflict') && attempt < CONFLICT_RETRIES) {
            await pause(20 + Math.random() * 30 * (attempt + 1));
            continue;
          }
          return translateStorageError(error);
        }
      }
    },

    async setPasswordHash(email, userId, passwordHash) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConditionExpression: 'userId = :userId',
            UpdateExpression: `SET passwordHash = :passwordHash ${NEXT_CREDENTIALS_VERSION.clause}`,
            ExpressionAttributeValues: { ':userId': userId, ':passwordHash': passwordHash, ...NEXT_CREDENTIALS_VERSION.values },
          }),
        ),
      );
    },

    async purgeTokens(userId) {
      try {
        await Promise.all(ONE_TIME_PURPOSES.map((purpose) => client.send(new DeleteCommand({ TableName: tableName, Key: oneTimeKey(purpose, userId) }))));
      } catch (error) {
        translateStorageError(error);
      }
    },

    async deleteAccount(email, userId) {
      // Each item only if it is still this account's (or already gone): a retry is harmless, and
      // an email registered again by someone else in between is never touched.
      const ownCondition = { ConditionExpression: 'attribute_not_exists(pk) OR userId = :userId', ExpressionAttributeValues: { ':userId': userId } };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Delete: { TableName: tableName, Key: emailKey(email), ...ownCondition } },
              { Delete: { TableName: tableName, Key: userKey(userId), ...ownCondition } },
            ],
          }),
        );
      } catch (error) {
        if (!cancellationCodes(error).includes('ConditionalCheckFailed')) translateStorageError(error);
        try {
          await client.send(new DeleteCommand({ TableName: tableName, Key: userKey(userId), ...ownCondition }));
        } catch (fallbackError) {
          if (!isConditionFailure(fallbackError)) translateStorageError(fallbackError);
        }
      }
    },
  };
}
