import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionFailure, translateStorageError } from './dynamodb';

/** A session as stored; it never holds a usable token, only HMACs of them. Times are epoch ms. */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Renewed by each refresh. */
  readonly idleExpiresAt: number;
  /** Fixed at login; no refresh extends it. */
  readonly absoluteExpiresAt: number;
  readonly generation: number;
  readonly tokenHash: string;
  readonly previousTokenHash?: string | undefined;
  readonly rotatedAt?: number | undefined;
  readonly revokedAt?: number | undefined;
  readonly revokedReason?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
  readonly scope?: string | undefined;
}

/** What the by-user index projects: everything but the token hashes. */
export type SessionSummary = Omit<SessionRecord, 'tokenHash' | 'previousTokenHash' | 'generation' | 'rotatedAt'>;

export interface RotationRequest {
  readonly sessionId: string;
  readonly presentedHash: string;
  readonly nextHash: string;
  readonly nextGeneration: number;
  readonly now: number;
  readonly idleExpiresAt: number;
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
}

export type RotationResult =
  | { readonly rotated: true; readonly session: SessionRecord }
  /** `session` is the item as it stood when the condition failed (absent when there is none). */
  | { readonly rotated: false; readonly session: SessionRecord | undefined };

export interface RevokeCondition {
  /** Only a session of this user. */
  readonly userId?: string;
  /** Only a session that has not ended; `now` decides expiry. */
  readonly liveAt?: number;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** Swaps the current token hash in one conditional write; never a read before it. */
  rotate(request: RotationRequest): Promise<RotationResult>;
  /** Marks a session revoked (kept until its TTL so reuse of its tokens is still recognised). */
  revoke(sessionId: string, reason: string, now: number, condition?: RevokeCondition): Promise<boolean>;
  /** Live sessions of a user, newest first. */
  listLive(userId: string, now: number): Promise<SessionSummary[]>;
}

export const SESSIONS_BY_USER_INDEX = 'byUser';

/** When a session ends (epoch ms): the earlier of its idle and absolute expiries. */
export const sessionExpiresAt = (session: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>): number =>
  Math.min(session.idleExpiresAt, session.absoluteExpiresAt);

const ttlOf = (session: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>) => Math.ceil(sessionExpiresAt(session) / 1000);

const LIVE = 'attribute_not_exists(revokedAt) AND idleExpiresAt > :now AND absoluteExpiresAt > :now';

export function createDynamoDbSessionStore(client: DynamoDBDocumentClient, tableName: string): SessionStore {
  return {
    async create(session) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...session, ttl: ttlOf(session) },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
      } catch (error) {
        translateStorageError(error);
      }
    },

    async get(sessionId) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { id: sessionId } }));
        return Item as SessionRecord | undefined;
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
              'SET tokenHash = :next, previousTokenHash = :presented, generation = :generation, rotatedAt = :now, ' +
              'lastUsedAt = :now, idleExpiresAt = :idle, #ttl = :ttl, userAgent = :userAgent, ip = :ip',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':presented': request.presentedHash,
              ':next': request.nextHash,
              ':generation': request.nextGeneration,
              ':now': now,
              ':idle': request.idleExpiresAt,
              // The caller folds the absolute expiry into idleExpiresAt's TTL (see lib/sessions.ts).
              ':ttl': Math.ceil(request.idleExpiresAt / 1000),
              ':userAgent': request.userAgent ?? null,
              ':ip': request.ip ?? null,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { rotated: true, session: Attributes as SessionRecord };
      } catch (error) {
        if (isConditionFailure(error)) {
          const item = (error as { Item?: Record<string, AttributeValue> }).Item;
          return { rotated: false, session: item ? (unmarshall(item) as SessionRecord) : undefined };
        }
        return translateStorageError(error);
      }
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
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { id: sessionId },
            ConditionExpression: clauses.join(' AND '),
            UpdateExpression: 'SET revokedAt = :revokedAt, revokedReason = :reason',
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        return translateStorageError(error);
      }
    },

    async listLive(userId, now) {
      const sessions: SessionSummary[] = [];
      let startKey: Record<string, unknown> | undefined;
      try {
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: SESSIONS_BY_USER_INDEX,
              KeyConditionExpression: 'userId = :userId',
              FilterExpression: LIVE,
              ExpressionAttributeValues: { ':userId': userId, ':now': now },
              ScanIndexForward: false,
              ExclusiveStartKey: startKey,
            }),
          );
          sessions.push(...((page.Items ?? []) as SessionSummary[]));
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      } catch (error) {
        return translateStorageError(error);
      }
      return sessions;
    },
  };
}
