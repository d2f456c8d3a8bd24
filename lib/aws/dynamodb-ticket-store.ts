import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertTicketData, RESERVED_TICKET_ATTRIBUTES, ticketHolds, TicketCollisionError, type TakeConditions, type Ticket, type TicketData, type TicketKind, type TicketStore } from '../tickets/ticket-store';
import { conditionalWrite, isConditionFailure, translateStorageError } from './dynamodb';
import { ticketKey, ttlOf } from './users-table';

/**
 * Tickets in the users table: `<prefix>#<keyed hash>` (users-table.ts names the prefix of each
 * kind) holding the ticket's data as top-level attributes, `expiresAt` (epoch ms), `failures` and
 * `ttl`. DynamoDB's TTL deletes late, so every read and condition checks `expiresAt` itself.
 */

/** ticketHolds as a condition expression: what a take (or a transaction that spends a ticket) deletes under. */
export function ticketCondition({ now, maxFailures, where }: TakeConditions): { ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  const parts = ['attribute_exists(pk)', 'expiresAt > :now'];
  const values: Record<string, unknown> = { ':now': now };
  const names: Record<string, string> = {};
  if (maxFailures !== undefined) {
    parts.push('failures < :maxFailures');
    values[':maxFailures'] = maxFailures;
  }
  Object.entries(where ?? {}).forEach(([name, value], index) => {
    parts.push(`#where${index} = :where${index}`);
    names[`#where${index}`] = name;
    values[`:where${index}`] = value;
  });
  return { ConditionExpression: parts.join(' AND '), ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}), ExpressionAttributeValues: values };
}

/** The Delete of a transaction that spends a ticket together with another change. */
export function takeTicketItem(tableName: string, kind: TicketKind, key: string, conditions: TakeConditions) {
  return { Delete: { TableName: tableName, Key: ticketKey(kind, key), ...ticketCondition(conditions) } };
}

export function toTicket(item: Record<string, unknown>): Ticket {
  const data = Object.fromEntries(Object.entries(item).filter(([name]) => !RESERVED_TICKET_ATTRIBUTES.includes(name))) as TicketData;
  return { data, expiresAt: Number(item.expiresAt), failures: Number(item.failures ?? 0) };
}

export function createDynamoDbTicketStore(client: DynamoDBDocumentClient, tableName: string): TicketStore {
  return {
    async issue(kind, key, { data, expiresAt }) {
      assertTicketData(data);
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...data, ...ticketKey(kind, key), expiresAt, failures: 0, ttl: ttlOf(expiresAt) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) throw new TicketCollisionError(kind);
        translateStorageError(error);
      }
    },

    async peek(kind, key, conditions) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: ticketKey(kind, key), ConsistentRead: true }));
        const ticket = Item ? toTicket(Item) : undefined;
        return ticketHolds(ticket, conditions) ? ticket : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async take(kind, key, conditions) {
      try {
        const { Attributes } = await client.send(new DeleteCommand({ TableName: tableName, Key: ticketKey(kind, key), ...ticketCondition(conditions), ReturnValues: 'ALL_OLD' }));
        return Attributes ? toTicket(Attributes) : undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        return translateStorageError(error);
      }
    },

    async countFailure(kind, key, maxFailures) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: ticketKey(kind, key),
            ConditionExpression: 'attribute_exists(pk) AND failures < :max',
            UpdateExpression: 'ADD failures :one',
            ExpressionAttributeValues: { ':one': 1, ':max': maxFailures },
          }),
        ),
      );
    },
  };
}
