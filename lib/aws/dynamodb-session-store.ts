import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LIVE_SESSION_RULE, sessionExpiresAt, type SessionRecord, type SessionSummary } from '../sessions/session';
import { MAX_SUMMARIES_PER_CALL, RolesChangedError, type CredentialGuard, type IndexedSession, type SessionStore } from '../sessions/session-store';
import { InvalidCredentialsError } from '../core/errors';
import { ACCOUNT_CLAIM_NAMES, readSessionClaims, SIGN_IN_CLAIM_NAMES, writeAccountClaims, writeSessionClaims, type SessionClaims } from '../tokens/session-claims';
import { cancelledItemAt, conditionalWrite, conditionFailedAt, isConditionFailure, translateStorageError } from './dynamodb';
import { credentialsVersionIs, credentialsVersionOf, emailKey, NOT_DISABLED, rolesVersionIs } from './users-table';

/**
 * Sessions in DynamoDB: one item per session, keyed by id. `liveUserId` (the user id, present
 * only until the session is revoked) keys the sparse index SESSIONS_BY_USER_INDEX, which
 * projects only attributes that never change after login, so a refresh writes the item alone.
 */
export const SESSIONS_BY_USER_INDEX = 'liveByUser';

const ttlOf = (session: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>) => Math.ceil(sessionExpiresAt(session) / 1000);

/** LIVE_SESSION_RULE as a condition expression over `:now`. */
const LIVE = [
  ...LIVE_SESSION_RULE.absent.map((name) => `attribute_not_exists(${name})`),
  ...LIVE_SESSION_RULE.after.map((name) => `${name} > :now`),
].join(' AND ');

/** Revoking a session: the record stays (reuse detection), the index entry goes. */
const REVOKE = 'SET revokedAt = :revokedAt, revokedReason = :reason REMOVE liveUserId';
const SUMMARY_ATTRIBUTES = ['id', 'userId', 'createdAt', 'lastUsedAt', 'idleExpiresAt', 'absoluteExpiresAt', 'revokedAt', 'userAgent', 'ip', 'passkeyIds'] as const;

export function createDynamoDbSessionStore(client: DynamoDBDocumentClient, tableName: string, options: { usersTable?: string } = {}): SessionStore {
  /**
   * Replaces some claims of a live session of `userId` (the stored names `names`: set to their
   * value in `values`, or removed when it has none), in one conditional write on the claims map;
   * the rest of the map stays. A session stored before the map existed gets the whole map instead,
   * in a second write. The item as it now stands, or undefined when there is no such live session.
   */
  const updateClaims = async (sessionId: string, userId: string, now: number, names: readonly string[], values: Record<string, unknown>, passkeyId?: string): Promise<Record<string, unknown> | undefined> => {
    const attributeNames: Record<string, string> = {};
    const attributeValues: Record<string, unknown> = { ':userId': userId, ':now': now, ':map': 'M' };
    const sets: string[] = [];
    const removes: string[] = [];
    names.forEach((name, index) => {
      attributeNames[`#c${index}`] = name;
      if (values[name] === undefined) removes.push(`claims.#c${index}`);
      else {
        sets.push(`claims.#c${index} = :c${index}`);
        attributeValues[`:c${index}`] = values[name];
      }
    });
    const passkey = passkeyId === undefined ? '' : ' ADD passkeyIds :passkey';
    if (passkeyId !== undefined) attributeValues[':passkey'] = new Set([passkeyId]);
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id: sessionId },
          ConditionExpression: `userId = :userId AND ${LIVE} AND attribute_type(claims, :map)`,
          UpdateExpression: `${sets.length ? `SET ${sets.join(', ')}` : ''}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}${passkey}`,
          ExpressionAttributeNames: attributeNames,
          ExpressionAttributeValues: attributeValues,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return Attributes;
    } catch (error) {
      if (!isConditionFailure(error)) return translateStorageError(error);
      const old = error.Item ? unmarshall(error.Item) : undefined;
      // Not there, another user's, ended, or already a map (then the condition failed on liveness).
      if (!old || old.userId !== userId || (typeof old.claims === 'object' && old.claims !== null)) return undefined;
      const whole = { ...writeSessionClaims(claimsOf(old)), ...values };
      for (const name of names) if (values[name] === undefined) delete whole[name];
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: sessionId },
            ConditionExpression: `userId = :userId AND ${LIVE} AND attribute_not_exists(claims)`,
            UpdateExpression: `SET claims = :claims${passkey}`,
            ExpressionAttributeValues: { ':userId': userId, ':now': now, ':claims': whole, ...(passkeyId === undefined ? {} : { ':passkey': new Set([passkeyId]) }) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes;
      } catch (legacyError) {
        if (isConditionFailure(legacyError)) return undefined;
        return translateStorageError(legacyError);
      }
    }
  };

  return {
    async create(session, guard) {
      const put = {
        TableName: tableName,
        // passkeyIds is a string set, so a re-authentication can ADD to it.
        Item: { ...toItem(session), liveUserId: session.userId, ttl: ttlOf(session) },
        ConditionExpression: 'attribute_not_exists(id)',
      };
      try {
        if (!guard) {
          await client.send(new PutCommand(put));
          return;
        }
        if (!options.usersTable) throw new Error('a guarded session needs the users table');
        const held =
          'passwordHash' in guard
            ? { expression: 'passwordHash = :passwordHash', values: { ':passwordHash': guard.passwordHash } }
            : credentialsVersionIs(guard.credentialsVersion);
        const rolesHeld = guard.rolesVersion === undefined ? undefined : rolesVersionIs(guard.rolesVersion);
        const roles = rolesHeld ? { expression: ` AND ${rolesHeld.expression}`, values: rolesHeld.values } : { expression: '', values: {} };
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              {
                ConditionCheck: {
                  TableName: options.usersTable,
                  Key: emailKey(guard.email),
                  // A disabled account opens no session, even by a login that read it just before.
                  ConditionExpression: `userId = :userId AND ${held.expression} AND ${NOT_DISABLED}${roles.expression}`,
                  ExpressionAttributeValues: { ':userId': guard.userId, ...held.values, ...roles.values },
                  // On a failure, the account as it stood tells a role change from a credentials change.
                  ...(guard.rolesVersion === undefined ? {} : { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (conditionFailedAt(error, 1)) {
          if (guard?.rolesVersion !== undefined && credentialsHeld(cancelledItemAt(error, 1), guard)) throw new RolesChangedError();
          throw new InvalidCredentialsError();
        }
        translateStorageError(error);
      }
    },

    async get(sessionId) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { id: sessionId } }));
        return Item ? toRecord(Item) : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async rotate(request) {
      const { now } = request;
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: request.sessionId },
            ConditionExpression: `tokenHash = :presented AND ${LIVE}`,
            UpdateExpression:
              'SET previousTokenHash = tokenHash, tokenHash = :next, generation = :generation, rotatedAt = :now, ' +
              'lastUsedAt = :now, idleExpiresAt = :idle, #ttl = :ttl, userAgent = :userAgent, ip = :ip',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':presented': request.presentedHash,
              ':next': request.nextHash,
              ':generation': request.nextGeneration,
              ':now': now,
              ':idle': request.idleExpiresAt,
              // The caller folds the absolute expiry into idleExpiresAt, so this is the session's end.
              ':ttl': Math.ceil(request.idleExpiresAt / 1000),
              ':userAgent': request.userAgent ?? null,
              ':ip': request.ip ?? null,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { rotated: true, session: toRecord(Attributes!) };
      } catch (error) {
        if (isConditionFailure(error)) return { rotated: false, session: error.Item ? toRecord(unmarshall(error.Item)) : undefined };
        return translateStorageError(error);
      }
    },

    async reauthenticate({ sessionId, userId, now, claims, passkeyId }) {
      // The sign-in's claims replace theirs in the map; the account's (roles, scope) stay.
      const written = writeSessionClaims(claims);
      const updated = await updateClaims(sessionId, userId, now, SIGN_IN_CLAIM_NAMES, written, passkeyId);
      return updated && toRecord(updated);
    },

    async setAccountClaims({ sessionId, userId, now, claims }) {
      return (await updateClaims(sessionId, userId, now, ACCOUNT_CLAIM_NAMES, writeAccountClaims(claims))) !== undefined;
    },

    async revoke(sessionId, reason, now, condition = {}) {
      const clauses = ['attribute_exists(id)', 'attribute_not_exists(revokedAt)'];
      const values: Record<string, unknown> = { ':revokedAt': now, ':reason': reason };
      if (condition.userId !== undefined) {
        clauses.push('userId = :userId');
        values[':userId'] = condition.userId;
      }
      if (condition.liveAt !== undefined) {
        clauses.push(LIVE);
        values[':now'] = condition.liveAt;
      }
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: sessionId },
            ConditionExpression: clauses.join(' AND '),
            UpdateExpression: REVOKE,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    async revokeOwned(sessionId, reason, now) {
      try {
        const result = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: sessionId },
            ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(revokedAt)',
            UpdateExpression: REVOKE,
            ExpressionAttributeValues: { ':revokedAt': now, ':reason': reason },
            // The item as it was comes back with the write, at no read's cost; only its owner is used.
            ReturnValues: 'ALL_OLD',
          }),
        );
        const userId = result.Attributes?.userId;
        return typeof userId === 'string' ? { userId } : undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        return translateStorageError(error);
      }
    },

    async listIndexed(userId, { limit, after, newestFirst }) {
      try {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: SESSIONS_BY_USER_INDEX,
            KeyConditionExpression: 'liveUserId = :userId',
            ExpressionAttributeValues: { ':userId': userId },
            ScanIndexForward: !newestFirst,
            Limit: limit,
            ExclusiveStartKey: after && { id: after.id, createdAt: after.createdAt, liveUserId: userId },
          }),
        );
        const sessions = (page.Items ?? []).map((item): IndexedSession => ({ id: item.id, createdAt: item.createdAt, absoluteExpiresAt: item.absoluteExpiresAt }));
        const last = page.LastEvaluatedKey;
        return { sessions, next: last ? { id: String(last.id), createdAt: Number(last.createdAt) } : undefined };
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async summaries(sessionIds) {
      if (sessionIds.length > MAX_SUMMARIES_PER_CALL) throw new RangeError(`summaries takes at most ${MAX_SUMMARIES_PER_CALL} ids`);
      const found: SessionSummary[] = [];
      let keys: Record<string, unknown>[] = sessionIds.map((id) => ({ id }));
      try {
        // DynamoDB may hand back part of a batch as unprocessed; ask again for just those.
        for (let attempt = 0; keys.length > 0 && attempt < 5; attempt++) {
          const { Responses, UnprocessedKeys } = await client.send(
            new BatchGetCommand({
              RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: SUMMARY_ATTRIBUTES.join(', ') } },
            }),
          );
          found.push(...(Responses?.[tableName] ?? []).map(toSummary));
          keys = UnprocessedKeys?.[tableName]?.Keys ?? [];
        }
      } catch (error) {
        return translateStorageError(error);
      }
      if (keys.length > 0) translateStorageError(new Error('BatchGetItem left keys unprocessed after 5 attempts'));
      return found;
    },
  };
}

/** A session as stored: its claims as the `claims` map (in their token form); passkeyIds a string set, so a re-authentication can ADD to it. */
function toItem(session: SessionRecord): Record<string, unknown> {
  const { claims, passkeyIds, ...rest } = session;
  return { ...rest, claims: writeSessionClaims(claims), passkeyIds: passkeyIds?.length ? new Set(passkeyIds) : undefined };
}

/** An item as the domain sees it. */
function toRecord(item: Record<string, unknown>): SessionRecord {
  const { liveUserId: _liveUserId, ttl: _ttl, amr: _amr, authTime: _authTime, scope: _scope, claims: _claims, ...session } = item;
  return { ...(session as unknown as SessionRecord), claims: claimsOf(item), passkeyIds: passkeyIdsOf(item) };
}

/**
 * The claims map, read by the same schema as tokens. Sessions stored before the map existed kept
 * `amr`, `authTime` (epoch ms) and `scope` as attributes; before `amr` existed, every session was a
 * password login, and before `authTime`, its last sign-in was its login.
 */
function claimsOf(item: Record<string, unknown>): SessionClaims {
  if (item.claims !== undefined && item.claims !== null && typeof item.claims === 'object') return readSessionClaims(item.claims as Record<string, unknown>);
  const authTime = typeof item.authTime === 'number' ? item.authTime : Number(item.createdAt);
  return readSessionClaims({ amr: Array.isArray(item.amr) ? item.amr : ['pwd'], auth_time: Math.floor(authTime / 1000), scope: item.scope ?? undefined });
}

/** Whether the account item (as a failed guard saw it) still holds the guard's credential part: then only its roles version moved. */
function credentialsHeld(item: Record<string, unknown> | undefined, guard: CredentialGuard): boolean {
  if (!item || item.userId !== guard.userId || item.disabled === true) return false;
  return 'passwordHash' in guard ? item.passwordHash === guard.passwordHash : credentialsVersionOf(item) === guard.credentialsVersion;
}

function toSummary(item: Record<string, unknown>): SessionSummary {
  return { ...(item as unknown as SessionSummary), passkeyIds: passkeyIdsOf(item) };
}

const passkeyIdsOf = (item: Record<string, unknown>): string[] | undefined => (item.passkeyIds instanceof Set ? [...(item.passkeyIds as Set<string>)] : undefined);
