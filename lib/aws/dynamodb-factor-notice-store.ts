import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FactorChange } from '../reauth/factor-change';
import { noticesToDrop, type FactorNoticeStore, type StoredFactorNotice } from '../reauth/factor-notice-store';
import { conditionalWrite, isConditionFailure, translateStorageError } from './dynamodb';
import { factorNoticesKey, ttlOf } from './users-table';

/**
 * Factor notices in the users table: one item per user, `ONE_TIME#report_factor#<userId>` (the key
 * scheme of one-time tokens, so DELETE /me's purge of one-time tokens removes it), whose map
 * `notices` holds each outstanding notice under its token's keyed hash: `{ change, expiresAt }`.
 * The item's `ttl` is that of its newest notice (all live equally long). Spending a notice removes
 * its entry in one conditional write.
 */
const PUT_ATTEMPTS = 3;

export function createDynamoDbFactorNoticeStore(client: DynamoDBDocumentClient, tableName: string): FactorNoticeStore {
  const key = factorNoticesKey;
  const entryOf = (notice: StoredFactorNotice) => ({ change: notice.change, expiresAt: notice.expiresAt });

  /** Adds the entry to an existing map, or creates the map; false when the other one's condition failed (a race), to try again. */
  const add = async (userId: string, notice: StoredFactorNotice): Promise<Record<string, unknown> | undefined> => {
    const common = { TableName: tableName, Key: key(userId), ExpressionAttributeNames: { '#ttl': 'ttl' } as Record<string, string> };
    const ttl = ttlOf(notice.expiresAt);
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          ...common,
          ConditionExpression: 'attribute_exists(notices)',
          UpdateExpression: 'SET notices.#hash = :entry, userId = :userId, #ttl = :ttl',
          ExpressionAttributeNames: { ...common.ExpressionAttributeNames, '#hash': notice.tokenHash },
          ExpressionAttributeValues: { ':entry': entryOf(notice), ':userId': userId, ':ttl': ttl },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // DynamoDB cannot set a member of a map that does not exist yet: the first notice creates it.
    try {
      await client.send(
        new UpdateCommand({
          ...common,
          ConditionExpression: 'attribute_not_exists(notices)',
          UpdateExpression: 'SET notices = :notices, userId = :userId, #ttl = :ttl',
          ExpressionAttributeValues: { ':notices': { [notice.tokenHash]: entryOf(notice) }, ':userId': userId, ':ttl': ttl },
        }),
      );
      return {};
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return undefined;
    }
  };

  return {
    async put(userId, notice, now) {
      try {
        for (let attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
          const item = await add(userId, notice);
          if (!item) continue;
          const stale = noticesToDrop(noticesOf(item), now);
          if (stale.length === 0) return;
          // Removing a member that is already gone changes nothing: no condition needed.
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(userId),
              UpdateExpression: `REMOVE ${stale.map((_, index) => `notices.#h${index}`).join(', ')}`,
              ExpressionAttributeNames: Object.fromEntries(stale.map((hash, index) => [`#h${index}`, hash])),
            }),
          );
          return;
        }
        throw new Error('factor notices kept changing while one was stored');
      } catch (error) {
        translateStorageError(error);
      }
    },

    async find(userId, tokenHashes, now) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(userId), ConsistentRead: true }));
        const notices = Item ? noticesOf(Item) : [];
        return tokenHashes.map((hash) => notices.find((notice) => notice.tokenHash === hash)).find((notice) => notice !== undefined && notice.expiresAt > now);
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async spend(userId, tokenHash, now) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(userId),
            ConditionExpression: 'notices.#hash.expiresAt > :now',
            UpdateExpression: 'REMOVE notices.#hash',
            ExpressionAttributeNames: { '#hash': tokenHash },
            ExpressionAttributeValues: { ':now': now },
          }),
        ),
      );
    },
  };
}

function noticesOf(item: Record<string, unknown>): StoredFactorNotice[] {
  const map = item.notices;
  if (typeof map !== 'object' || map === null) return [];
  return Object.entries(map as Record<string, { change?: FactorChange; expiresAt?: unknown }>).flatMap(([tokenHash, entry]) =>
    entry?.change && typeof entry.expiresAt === 'number' ? [{ tokenHash, change: entry.change, expiresAt: entry.expiresAt }] : [],
  );
}
