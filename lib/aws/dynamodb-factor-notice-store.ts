import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FactorChange } from '../reauth/factor-change';
import { noticesToDropBeside, reportTicket, type FactorNoticeStore, type StoredFactorNotice } from '../reauth/factor-notice-store';
import { TicketCollisionError } from '../tickets/ticket-store';
import { conditionalWrite, translateStorageError, transactWithRetries } from './dynamodb';
import { takeTicketItem } from './dynamodb-ticket-store';
import { factorNoticesKey, ticketKey, ttlOf } from './users-table';

/**
 * Factor notices in the users table:
 * - `ONE_TIME#report_factor#<userId>` (the key scheme of one-time tokens, so DELETE /me's purge of
 *   one-time tokens removes it): its map `notices` holds each outstanding notice under its token's
 *   keyed hash, `{ change, expiresAt, ticket: true }`. The item's `ttl` is that of its newest
 *   notice (all live equally long).
 * - `ONE_TIME_TOKEN#<keyed hash>`: the token's ticket (dynamodb-ticket-store.ts), with `purpose`
 *   `report_factor`, `userId` and the change's fields.
 * Storing a notice issues its ticket and adds its entry in one transaction, which drops stale
 * entries with their tickets; spending takes the ticket and removes the entry, under the entry's
 * expiry, in one transaction. The purge of DELETE /me deletes the tickets the map names, then the item.
 *
 * An entry without `ticket` was stored before notices had tickets: it is spent as it always was,
 * by removing the entry under its expiry, until it expires (7 days); then that branch can go.
 */
const PUT_ATTEMPTS = 3;
/** Concurrent spends of one notice cancel each other's transactions (TransactionConflict); the losers look again. */
const CONFLICT_RETRIES = 6;


export function createDynamoDbFactorNoticeStore(client: DynamoDBDocumentClient, tableName: string): FactorNoticeStore {
  const key = factorNoticesKey;
  const entryOf = (notice: StoredFactorNotice) => ({ change: notice.change, expiresAt: notice.expiresAt, ticket: true });

  const transact = (command: TransactWriteCommand) => transactWithRetries(client, command, CONFLICT_RETRIES);

  const readItem = async (userId: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key(userId), ConsistentRead: true }));
    return Item;
  };

  /** The Update that adds the entry to the map the item was read with (or creates the map), dropping `stale`. */
  const addEntry = (userId: string, notice: StoredFactorNotice, seen: Record<string, unknown> | undefined, stale: readonly string[]): NonNullable<TransactWriteCommandInput['TransactItems']>[number] => {
    const names: Record<string, string> = { '#ttl': 'ttl', ...Object.fromEntries(stale.map((hash, index) => [`#h${index}`, hash])) };
    const values: Record<string, unknown> = { ':userId': userId, ':ttl': ttlOf(notice.expiresAt) };
    const remove = stale.length > 0 ? ` REMOVE ${stale.map((_, index) => `notices.#h${index}`).join(', ')}` : '';
    // DynamoDB cannot set a member of a map that does not exist yet: the first notice creates it.
    if (typeof seen?.notices !== 'object' || seen.notices === null) {
      return { Update: { TableName: tableName, Key: key(userId), ConditionExpression: 'attribute_not_exists(notices)', UpdateExpression: 'SET notices = :notices, userId = :userId, #ttl = :ttl', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ...values, ':notices': { [notice.tokenHash]: entryOf(notice) } } } };
    }
    return {
      Update: {
        TableName: tableName,
        Key: key(userId),
        ConditionExpression: 'attribute_exists(notices)',
        UpdateExpression: `SET notices.#hash = :entry, userId = :userId, #ttl = :ttl${remove}`,
        ExpressionAttributeNames: { ...names, '#hash': notice.tokenHash },
        ExpressionAttributeValues: { ...values, ':entry': entryOf(notice) },
      },
    };
  };

  return {
    async put(userId, notice, now) {
      const ticket = { ...reportTicket.data(userId, notice.change), ...ticketKey(reportTicket.kind, notice.tokenHash), expiresAt: notice.expiresAt, failures: 0, ttl: ttlOf(notice.expiresAt) };
      try {
        for (let attempt = 0; attempt < PUT_ATTEMPTS; attempt++) {
          // Read first: a transaction cannot return the item, and the cap needs the other entries.
          const seen = await readItem(userId);
          const stale = noticesToDropBeside(seen ? noticesOf(seen) : [], notice, now);
          const failed = await transact(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: tableName, Item: ticket, ConditionExpression: 'attribute_not_exists(pk)' } },
                addEntry(userId, notice, seen, stale),
                // A dropped entry can no longer be spent: its ticket goes with it.
                ...(seen ? noticeTicketHashes(seen) : []).filter((hash) => stale.includes(hash)).map((hash) => ({ Delete: { TableName: tableName, Key: ticketKey(reportTicket.kind, hash) } })),
              ],
            }),
          );
          if (!failed) return;
          if (failed[0] === 'ConditionalCheckFailed') throw new TicketCollisionError(reportTicket.kind);
          // The map appeared or went since the read (a concurrent first notice, a purge): read again.
        }
        throw new Error('factor notices kept changing while one was stored');
      } catch (error) {
        if (error instanceof TicketCollisionError) throw error;
        translateStorageError(error);
      }
    },

    async find(userId, tokenHashes, now) {
      try {
        const Item = await readItem(userId);
        const notices = Item ? noticesOf(Item) : [];
        return tokenHashes.map((hash) => notices.find((notice) => notice.tokenHash === hash)).find((notice) => notice !== undefined && notice.expiresAt > now);
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async spend(userId, tokenHash, now) {
      const entry = { ExpressionAttributeNames: { '#hash': tokenHash }, ExpressionAttributeValues: { ':now': now } };
      const failed = await transact(
        new TransactWriteCommand({
          TransactItems: [
            takeTicketItem(tableName, reportTicket.kind, tokenHash, { now, where: reportTicket.where(userId) }),
            { Update: { TableName: tableName, Key: key(userId), ConditionExpression: 'notices.#hash.expiresAt > :now AND notices.#hash.ticket = :ticket', UpdateExpression: 'REMOVE notices.#hash', ...entry, ExpressionAttributeValues: { ...entry.ExpressionAttributeValues, ':ticket': true } } },
          ],
        }),
      );
      if (!failed) return true;
      // No ticket: an entry stored before notices had tickets, spent as it was then (never one that has a ticket).
      return conditionalWrite(() =>
        client.send(new UpdateCommand({ TableName: tableName, Key: key(userId), ConditionExpression: 'notices.#hash.expiresAt > :now AND attribute_not_exists(notices.#hash.ticket)', UpdateExpression: 'REMOVE notices.#hash', ...entry })),
      );
    },
  };
}

/** The hashes of the tickets the notices' item names (entries stored before tickets have none). */
export function noticeTicketHashes(item: Record<string, unknown>): string[] {
  const map = item.notices;
  if (typeof map !== 'object' || map === null) return [];
  return Object.entries(map as Record<string, { ticket?: unknown }>).flatMap(([tokenHash, entry]) => (entry?.ticket === true ? [tokenHash] : []));
}

function noticesOf(item: Record<string, unknown>): StoredFactorNotice[] {
  const map = item.notices;
  if (typeof map !== 'object' || map === null) return [];
  return Object.entries(map as Record<string, { change?: FactorChange; expiresAt?: unknown }>).flatMap(([tokenHash, entry]) =>
    entry?.change && typeof entry.expiresAt === 'number' ? [{ tokenHash, change: entry.change, expiresAt: entry.expiresAt }] : [],
  );
}
