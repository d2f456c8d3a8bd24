import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditDetails, AuditEvent, AuditEventType } from '../audit/audit-event';
import type { AuditPosition, AuditStore } from '../audit/audit-store';
import { forEachBounded } from '../core/bounded';
import { translateStorageError } from './dynamodb';

/**
 * The audit table (infra/tables.js): partition `userId`, sort key `at` = zero-padded epoch ms,
 * `#`, event id, so a user's events read newest first with ScanIndexForward=false. Two indexes
 * over the same `at` serve the admin's listing: `allByTime` (partition `feed`, one value for every
 * item) and `byTypeAndTime` (partition `type`). `ttl` (epoch seconds) is the retention; reads
 * leave out expired items because DynamoDB deletes them late.
 */
export const AUDIT_INDEXES = Object.freeze({ all: 'allByTime', byType: 'byTypeAndTime' });
const FEED = 'all';
/** Enough digits for any epoch ms, so the string order is the time order. */
const sortKeyOf = (position: Pick<AuditPosition, 'time' | 'id'>) => `${String(position.time).padStart(15, '0')}#${position.id}`;
const DELETE_CONCURRENCY = 10;

const toEvent = (item: Record<string, unknown>): AuditEvent => ({
  id: String(item.id),
  time: Number(item.time),
  type: String(item.type) as AuditEventType,
  userId: String(item.userId),
  ...(typeof item.actorId === 'string' ? { actorId: item.actorId } : {}),
  ...(typeof item.sessionId === 'string' ? { sessionId: item.sessionId } : {}),
  ...(typeof item.ip === 'string' ? { ip: item.ip } : {}),
  ...(typeof item.userAgent === 'string' ? { userAgent: item.userAgent } : {}),
  details: (item.details ?? {}) as AuditDetails,
});

export function createDynamoDbAuditStore(client: DynamoDBDocumentClient, tableName: string): AuditStore {
  return {
    async put(event, expiresAt) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...event, at: sortKeyOf(event), feed: FEED, ttl: Math.ceil(expiresAt / 1000) },
          }),
        );
      } catch (error) {
        translateStorageError(error);
      }
    },

    async list({ userId, type, after, limit, now }) {
      const names: Record<string, string> = { '#ttl': 'ttl' };
      const values: Record<string, unknown> = { ':now': Math.floor(now / 1000) };
      const filters = ['#ttl > :now'];
      let index: string | undefined;
      let keyCondition: string;
      let startKey: Record<string, unknown> | undefined = after ? { userId: after.userId, at: sortKeyOf(after) } : undefined;
      if (userId !== undefined) {
        keyCondition = 'userId = :userId';
        values[':userId'] = userId;
        if (type !== undefined) {
          filters.push('#type = :type');
          names['#type'] = 'type';
          values[':type'] = type;
        }
      } else if (type !== undefined) {
        index = AUDIT_INDEXES.byType;
        keyCondition = '#type = :type';
        names['#type'] = 'type';
        values[':type'] = type;
        if (startKey) startKey = { ...startKey, type };
      } else {
        index = AUDIT_INDEXES.all;
        keyCondition = 'feed = :feed';
        values[':feed'] = FEED;
        if (startKey) startKey = { ...startKey, feed: FEED };
      }
      try {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            ...(index ? { IndexName: index } : {}),
            KeyConditionExpression: keyCondition,
            FilterExpression: filters.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            Limit: limit,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        const last = page.LastEvaluatedKey;
        const [time, id] = typeof last?.at === 'string' ? [Number(last.at.slice(0, last.at.indexOf('#'))), last.at.slice(last.at.indexOf('#') + 1)] : [];
        return {
          events: (page.Items ?? []).map(toEvent),
          ...(last && time !== undefined && id !== undefined ? { next: { userId: String(last.userId), time, id } } : {}),
        };
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async purgeUser(userId, keep) {
      let deleted = 0;
      let startKey: Record<string, unknown> | undefined;
      try {
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: 'userId = :userId',
              ExpressionAttributeValues: { ':userId': userId },
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
          const doomed = (page.Items ?? []).filter((item) => !keep(toEvent(item)));
          await forEachBounded(doomed, DELETE_CONCURRENCY, async (item) => {
            await client.send(new DeleteCommand({ TableName: tableName, Key: { userId, at: item.at } }));
            deleted++;
          });
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      } catch (error) {
        translateStorageError(error);
      }
      return deleted;
    },
  };
}
