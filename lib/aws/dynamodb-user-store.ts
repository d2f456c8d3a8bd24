import { BatchGetCommand, DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EmailTakenError } from '../core/errors';
import { translateStorageError } from './dynamodb';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly createdAt: number;
}

export interface UserCredentials extends User {
  readonly passwordHash: string;
}

/** Failed logins for one normalised email, known or not. */
export interface LoginFailures {
  readonly count: number;
  /** Epoch ms; the count is forgotten (and any lockout lifted) after this. */
  readonly expiresAt: number;
}

export interface UserStore {
  /** Creates the account; throws EmailTakenError when the email already has one. */
  create(user: UserCredentials): Promise<void>;
  findById(id: string): Promise<User | undefined>;
  /** The credentials and the failure count of an email, in one request. */
  findForLogin(email: string): Promise<{ user: UserCredentials | undefined; failures: LoginFailures | undefined }>;
  /** Counts one failure, starting a new window when the previous one has expired; returns the new count. */
  recordLoginFailure(email: string, now: number, windowSeconds: number, previous: LoginFailures | undefined): Promise<number>;
  clearLoginFailures(email: string): Promise<void>;
}

const emailKey = (email: string) => ({ pk: `EMAIL#${email}` });
const userKey = (id: string) => ({ pk: `USER#${id}` });
const failuresKey = (email: string) => ({ pk: `LOGIN_FAILURES#${email}` });

export function createDynamoDbUserStore(client: DynamoDBDocumentClient, tableName: string): UserStore {
  return {
    async create(user) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { ...emailKey(user.email), userId: user.id, email: user.email, passwordHash: user.passwordHash, createdAt: user.createdAt },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...userKey(user.id), userId: user.id, email: user.email, createdAt: user.createdAt },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      } catch (error) {
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (reasons?.[0]?.Code === 'ConditionalCheckFailed') throw new EmailTakenError();
        translateStorageError(error);
      }
    },

    async findById(id) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: userKey(id) }));
        return Item ? { id: Item.userId, email: Item.email, createdAt: Item.createdAt } : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async findForLogin(email) {
      try {
        const { Responses } = await client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [emailKey(email), failuresKey(email)], ConsistentRead: true } } }),
        );
        const items = Responses?.[tableName] ?? [];
        const userItem = items.find((item) => item.pk === emailKey(email).pk);
        const failureItem = items.find((item) => item.pk === failuresKey(email).pk);
        return {
          user: userItem && { id: userItem.userId, email: userItem.email, createdAt: userItem.createdAt, passwordHash: userItem.passwordHash },
          failures: failureItem && { count: failureItem.failures, expiresAt: failureItem.expiresAt },
        };
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async recordLoginFailure(email, now, windowSeconds, previous) {
      const expiresAt = now + windowSeconds * 1000;
      const startsNewWindow = !previous || previous.expiresAt <= now;
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: failuresKey(email),
            // Each failure pushes the window out, so the lockout lasts LOGIN_LOCKOUT_SECONDS from the last one.
            UpdateExpression: startsNewWindow
              ? 'SET failures = :one, expiresAt = :expiresAt, #ttl = :ttl'
              : 'ADD failures :one SET expiresAt = :expiresAt, #ttl = :ttl',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt, ':ttl': Math.ceil(expiresAt / 1000) },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(Attributes?.failures ?? 1);
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async clearLoginFailures(email) {
      try {
        await client.send(new DeleteCommand({ TableName: tableName, Key: failuresKey(email) }));
      } catch (error) {
        translateStorageError(error);
      }
    },
  };
}
