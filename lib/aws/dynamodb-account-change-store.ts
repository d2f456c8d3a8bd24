import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ONE_TIME_PURPOSES, oneTimeTicket, retryAfterSeconds, type AccountChange, type AccountChangeStore, type StoredOneTimeToken } from '../accounts/account-change-store';
import { TicketCollisionError } from '../tickets/ticket-store';
import type { OneTimePurpose } from '../tokens/one-time-token';
import { cancellationCodes, conditionalWrite, isConditionFailure, translateStorageError, transactWithRetries } from './dynamodb';
import { noticeTicketHashes } from './dynamodb-factor-notice-store';
import { takeTicketItem } from './dynamodb-ticket-store';
import { credentialsVersionIs, emailKey, NEXT_CREDENTIALS_VERSION, oneTimeKey, ticketKey, ttlOf, userKey } from './users-table';

/**
 * The account features' items in the users table:
 * - `ONE_TIME#<purpose>#<userId>`: the pointer to the user's newest token of that purpose
 *   (`ticketHash`, its keyed hash), `expiresAt`, `sentAt` (the email throttle), the account's
 *   `credentialsVersion` when it was issued, `ttl`, and `priorTicketHash`: the token it replaced,
 *   whose ticket stays while an undo (restoreToken) may name it again. Issuing deletes the ticket
 *   before that, which nothing can name any more: so the pointer names every ticket of its purpose
 *   that may still be stored, and the purge of DELETE /me finds them all;
 * - `ONE_TIME_TOKEN#<keyed hash>`: the token's ticket (dynamodb-ticket-store.ts), with `purpose`,
 *   `userId` and `credentialsVersion`;
 * - the account items `EMAIL#` / `USER#` of dynamodb-user-store.ts, changed or deleted here.
 *
 * A pointer written before tokens were tickets holds the hash itself as `tokenHash` (removed once
 * used) and has no ticket: it is redeemed by that attribute until it expires (a link's lifetime,
 * 24 h at most), then nothing writes it any more.
 */

/** Concurrent transactions on one item cancel each other (TransactionConflict); the loser looks again. */
const CONFLICT_RETRIES = 4;

const LEGACY_HASH = 'tokenHash';
const POINTER_HASH = 'ticketHash';
const PRIOR_HASH = 'priorTicketHash';

/** The hashes of the tickets a pointer (or the factor notices' item) names: the ones its purge deletes. */
const ticketHashesNamedBy = (item: Record<string, unknown>): string[] =>
  [item[POINTER_HASH], item[PRIOR_HASH], ...noticeTicketHashes(item)].filter((hash): hash is string => typeof hash === 'string');

/** A pointer as stored; `tokenHash` is the hash it names (a legacy item's own). */
const toStored = (item: Record<string, unknown>): StoredOneTimeToken => {
  // A pointer keeps naming its ticket after the ticket was taken; only a legacy item loses its hash when used.
  const legacy = typeof item[POINTER_HASH] !== 'string';
  const hash = item[legacy ? LEGACY_HASH : POINTER_HASH];
  return {
    tokenHash: typeof hash === 'string' ? hash : undefined,
    expiresAt: Number(item.expiresAt),
    sentAt: Number(item.sentAt),
    credentialsVersion: typeof item.credentialsVersion === 'number' ? item.credentialsVersion : 0,
    ...(legacy ? { legacy: true as const } : {}),
  };
};


export function createDynamoDbAccountChangeStore(client: DynamoDBDocumentClient, tableName: string): AccountChangeStore {
  const itemOf = (purpose: OneTimePurpose, userId: string, token: StoredOneTimeToken) => ({
    ...oneTimeKey(purpose, userId),
    userId,
    ...(token.tokenHash ? { [token.legacy ? LEGACY_HASH : POINTER_HASH]: token.tokenHash } : {}),
    expiresAt: token.expiresAt,
    sentAt: token.sentAt,
    credentialsVersion: token.credentialsVersion,
    ttl: ttlOf(token.expiresAt),
  });

  const read = async (key: Record<string, string>, projection?: string) => {
    try {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true, ...(projection ? { ProjectionExpression: projection } : {}) }));
      return Item;
    } catch (error) {
      return translateStorageError(error);
    }
  };
  const readPointer = (purpose: OneTimePurpose, userId: string) => read(oneTimeKey(purpose, userId));

  /** The pointer is still exactly as read: the throttle decided on it, and `previous` is what the write replaces. */
  const unchangedSince = (seen: Record<string, unknown> | undefined) => {
    if (!seen) return { ConditionExpression: 'attribute_not_exists(pk)' };
    const stored = toStored(seen);
    const hash = stored.tokenHash === undefined ? `attribute_not_exists(${LEGACY_HASH}) AND attribute_not_exists(${POINTER_HASH})` : `${stored.legacy ? LEGACY_HASH : POINTER_HASH} = :seenHash`;
    return { ConditionExpression: `sentAt = :seenSentAt AND ${hash}`, ExpressionAttributeValues: { ':seenSentAt': seen.sentAt, ...(stored.tokenHash === undefined ? {} : { ':seenHash': stored.tokenHash }) } };
  };

  const transact = (command: TransactWriteCommand) => transactWithRetries(client, command, CONFLICT_RETRIES);

  /** The Update of the account that every redemption makes, in the redeeming transaction. */
  const accountUpdate = (userId: string, { email, passwordHash, credentialsVersion }: AccountChange) => {
    const version = credentialsVersion === undefined ? undefined : credentialsVersionIs(credentialsVersion);
    const newPassword = passwordHash ? { ':passwordHash': passwordHash, ...NEXT_CREDENTIALS_VERSION.values } : {};
    return {
      Update: {
        TableName: tableName,
        Key: emailKey(email),
        ConditionExpression: version ? `userId = :userId AND ${version.expression}` : 'userId = :userId',
        UpdateExpression: passwordHash ? `SET emailVerified = :verified, passwordHash = :passwordHash ${NEXT_CREDENTIALS_VERSION.clause}` : 'SET emailVerified = :verified',
        ExpressionAttributeValues: { ':userId': userId, ':verified': true, ...newPassword, ...version?.values },
      },
    };
  };

  return {
    async issueToken(purpose, userId, { tokenHash, expiresAt, credentialsVersion }, now, minIntervalMs) {
      for (let attempt = 0; attempt <= CONFLICT_RETRIES; attempt++) {
        const seen = await readPointer(purpose, userId);
        if (seen && Number(seen.sentAt) > now - minIntervalMs) return { issued: false, retryAfterSeconds: retryAfterSeconds(Number(seen.sentAt), now, minIntervalMs) };
        const replaced = seen && typeof seen[POINTER_HASH] === 'string' ? { [PRIOR_HASH]: seen[POINTER_HASH] } : {};
        // The ticket the replaced pointer kept for an undo: no pointer can name it again.
        const beforePrior = seen?.[PRIOR_HASH];
        const unreachable = typeof beforePrior === 'string' ? [{ Delete: { TableName: tableName, Key: ticketKey(oneTimeTicket.kind, beforePrior) } }] : [];
        const failed = await transact(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: { ...itemOf(purpose, userId, { tokenHash, expiresAt, sentAt: now, credentialsVersion }), ...replaced }, ...unchangedSince(seen) } },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...oneTimeTicket.data(purpose, userId, credentialsVersion), ...ticketKey(oneTimeTicket.kind, tokenHash), expiresAt, failures: 0, ttl: ttlOf(expiresAt) },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...unreachable,
            ],
          }),
        );
        if (!failed) return { issued: true, previous: seen ? toStored(seen) : undefined };
        if (failed[1] === 'ConditionalCheckFailed') throw new TicketCollisionError(oneTimeTicket.kind);
        // Another write changed the pointer since it was read: look again (it is throttled now, most likely).
      }
      return translateStorageError(new Error('the one-time token item kept changing while a token was issued'));
    },

    async restoreToken(purpose, userId, tokenHash, previous) {
      const ours = { ConditionExpression: `${POINTER_HASH} = :ours`, ExpressionAttributeValues: { ':ours': tokenHash } };
      const pointer = previous ? { Put: { TableName: tableName, Item: itemOf(purpose, userId, previous), ...ours } } : { Delete: { TableName: tableName, Key: oneTimeKey(purpose, userId), ...ours } };
      // A newer token replaced ours meanwhile (a failed condition): it is not ours to undo.
      await transact(new TransactWriteCommand({ TransactItems: [pointer, { Delete: { TableName: tableName, Key: ticketKey(oneTimeTicket.kind, tokenHash) } }] }));
    },

    async findToken(purpose, userId) {
      const item = await readPointer(purpose, userId);
      if (!item) return undefined;
      const stored = toStored(item);
      if (stored.legacy || stored.tokenHash === undefined) return stored;
      // The pointer still names a used token: its ticket (taken) says whether it was.
      if (await read(ticketKey(oneTimeTicket.kind, stored.tokenHash), 'pk')) return stored;
      const { tokenHash: _used, ...rest } = stored;
      return rest;
    },

    async redeemToken(purpose, userId, tokenHashes, now, change) {
      const item = await readPointer(purpose, userId);
      const stored = item && toStored(item);
      const hash = stored?.tokenHash;
      if (!stored || hash === undefined || !tokenHashes.includes(hash)) return false;
      const pointer = oneTimeKey(purpose, userId);
      const items = stored.legacy
        ? // A link sent before tokens were tickets: its hash in the pointer is what gets used up.
          [{ Update: { TableName: tableName, Key: pointer, ConditionExpression: `${LEGACY_HASH} = :hash AND expiresAt > :now`, UpdateExpression: `REMOVE ${LEGACY_HASH}`, ExpressionAttributeValues: { ':hash': hash, ':now': now } } }]
        : [
            takeTicketItem(tableName, oneTimeTicket.kind, hash, { now, where: { userId, purpose } }),
            // Only the newest token of the purpose: a newer link (or an undone one) renamed the pointer.
            { ConditionCheck: { TableName: tableName, Key: pointer, ConditionExpression: `${POINTER_HASH} = :hash`, ExpressionAttributeValues: { ':hash': hash } } },
          ];
      return (await transact(new TransactWriteCommand({ TransactItems: [...items, accountUpdate(userId, change)] }))) === undefined;
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
      // Tickets first, then the item naming them: a purge that fails part-way finds them again.
      const own = { ConditionExpression: 'attribute_not_exists(pk) OR userId = :userId', ExpressionAttributeValues: { ':userId': userId } };
      const purge = async (purpose: OneTimePurpose) => {
        const item = await readPointer(purpose, userId);
        if (!item) return;
        // Never another account's ticket under the hash (a condition failure): not ours to delete.
        await Promise.all(ticketHashesNamedBy(item).map((hash) => client.send(new DeleteCommand({ TableName: tableName, Key: ticketKey(oneTimeTicket.kind, hash), ...own })).catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        })));
        await client.send(new DeleteCommand({ TableName: tableName, Key: oneTimeKey(purpose, userId) }));
      };
      try {
        await Promise.all(ONE_TIME_PURPOSES.map(purge));
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
