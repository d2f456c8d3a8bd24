import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENTRY_TTL_MS, type EmailOutbox, type OutboxEmailKind, type PendingEmail } from '../email/outbox';
import { conditionalWrite, isConditionFailure, translateStorageError } from './dynamodb';

/**
 * The outbox table (infra/tables.js): every entry in one partition, `queue = "email"`, sorted by
 * `id = <kind>#<userId>`. Only failed emails land here, so the partition stays small and one
 * Query reads what is due. An item holds the intent (kind, user id, time of the event) and the
 * retry state; never an address, a message or a link.
 */
const QUEUE = 'email';
const keyOf = (entry: { kind: string; userId: string }) => ({ queue: QUEUE, id: `${entry.kind}#${entry.userId}` });

/** Holds while the entry is the one that was read: the same failure and the same attempt. */
const stillThisEntry = (entry: PendingEmail) => ({
  ConditionExpression: 'attempts = :attempts AND firstFailedAt = :firstFailedAt',
  ExpressionAttributeValues: { ':attempts': entry.attempts, ':firstFailedAt': entry.firstFailedAt },
});

const toEntry = (item: Record<string, unknown>): PendingEmail => ({
  kind: String(item.kind) as OutboxEmailKind,
  userId: String(item.userId),
  at: Number(item.at),
  attempts: Number(item.attempts),
  firstFailedAt: Number(item.firstFailedAt),
  dueAt: Number(item.dueAt),
});

export function createDynamoDbEmailOutbox(client: DynamoDBDocumentClient, tableName: string): EmailOutbox {
  return {
    async keep({ kind, userId, at }, now, dueAt = now) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keyOf({ kind, userId }), kind, userId, at, attempts: 1, firstFailedAt: now, dueAt, ttl: Math.ceil((now + ENTRY_TTL_MS) / 1000) },
          }),
        );
      } catch (error) {
        translateStorageError(error);
      }
    },

    async due(now, limit) {
      const found: PendingEmail[] = [];
      let startKey: Record<string, unknown> | undefined;
      try {
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              KeyConditionExpression: '#queue = :queue',
              FilterExpression: 'dueAt <= :now',
              ExpressionAttributeNames: { '#queue': 'queue' },
              ExpressionAttributeValues: { ':queue': QUEUE, ':now': now },
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
          found.push(...(page.Items ?? []).map(toEntry));
          startKey = page.LastEvaluatedKey;
        } while (startKey && found.length < limit);
      } catch (error) {
        translateStorageError(error);
      }
      return found.slice(0, limit);
    },

    async claim(entry, leaseUntil) {
      const condition = stillThisEntry(entry);
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(entry),
            ConditionExpression: condition.ConditionExpression,
            UpdateExpression: 'SET attempts = attempts + :one, dueAt = :lease',
            ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':one': 1, ':lease': leaseUntil },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ? toEntry(Attributes) : undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        return translateStorageError(error);
      }
    },

    async postpone(claimed, dueAt) {
      const condition = stillThisEntry(claimed);
      await conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keyOf(claimed),
            ConditionExpression: condition.ConditionExpression,
            UpdateExpression: 'SET dueAt = :due',
            ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':due': dueAt },
          }),
        ),
      );
    },

    async remove(claimed) {
      await conditionalWrite(() => client.send(new DeleteCommand({ TableName: tableName, Key: keyOf(claimed), ...stillThisEntry(claimed) })));
    },
  };
}
