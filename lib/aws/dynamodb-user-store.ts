import { DeleteCommand, GetCommand, ScanCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AccountCredentials, UserStore } from '../accounts/user-store';
import { EmailTakenError } from '../core/errors';
import { conditionalWrite, conditionFailedAt, isConditionFailure, translateStorageError } from './dynamodb';
import { attemptsKey, DISABLED_ATTRIBUTE, emailKey, EMAIL_KEY_PREFIX, NEXT_CREDENTIALS_VERSION, ttlOf, userKey } from './users-table';

/**
 * Accounts in the users table (keys in users-table.ts): `EMAIL#<email>` is the account (its key
 * makes an email unique), `USER#<id>` the way from a user id to the email, and
 * `LOGIN_FAILURES#<email>` the attempt counter of an email, known or not, with a TTL.
 */
export function toAccount(item: Record<string, unknown>): AccountCredentials {
  return {
    id: String(item.userId),
    email: String(item.email),
    createdAt: Number(item.createdAt),
    // An account without a password (one created through another identity provider) has no attribute: never the string "undefined".
    passwordHash: typeof item.passwordHash === 'string' ? item.passwordHash : undefined,
    emailVerified: item.emailVerified === true,
    mfaEnabled: item.totpEnabled === true,
    credentialsVersion: typeof item.credentialsVersion === 'number' ? item.credentialsVersion : 0,
    // An account whose roles were never set has neither attribute: rolesOf reads it as none, at version 0.
    ...(Array.isArray(item.roles) ? { roles: item.roles.map(String) } : {}),
    ...(typeof item.rolesVersion === 'number' ? { rolesVersion: item.rolesVersion } : {}),
    // Stored only while true (enabling removes it): an account never disabled has no attribute.
    ...(item.disabled === true ? { disabled: true } : {}),
  };
}

export function createDynamoDbUserStore(client: DynamoDBDocumentClient, tableName: string): UserStore {
  const getByEmail = async (email: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: emailKey(email), ConsistentRead: true }));
    return Item ? toAccount(Item) : undefined;
  };

  return {
    async create(account) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...emailKey(account.email),
                    userId: account.id,
                    email: account.email,
                    passwordHash: account.passwordHash,
                    createdAt: account.createdAt,
                    emailVerified: account.emailVerified,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...userKey(account.id), userId: account.id, email: account.email, createdAt: account.createdAt },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (conditionFailedAt(error, 0)) throw new EmailTakenError();
        translateStorageError(error);
      }
    },

    async findById(id) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: userKey(id) }));
        if (!Item) return undefined;
        const account = await getByEmail(String(Item.email));
        // An email item of another id means the account was deleted and the email registered again.
        return account?.id === id ? account : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async findByEmail(email) {
      try {
        return await getByEmail(email);
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async countAttempt(email, now, { maxAttempts, windowSeconds }) {
      const expiresAt = now + windowSeconds * 1000;
      const window = { ':expiresAt': expiresAt, ':ttl': ttlOf(expiresAt) };
      try {
        // Two tries: a window that has passed is reset by a second conditional write, which a
        // concurrent attempt may win; then the count is taken again in the new window.
        for (let attempt = 0; attempt < 2; attempt++) {
          try {
            await client.send(
              new UpdateCommand({
                TableName: tableName,
                Key: attemptsKey(email),
                ConditionExpression: 'attribute_not_exists(pk) OR (failures < :max AND expiresAt > :now)',
                UpdateExpression: 'ADD failures :one SET expiresAt = :expiresAt, #ttl = :ttl',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':one': 1, ':max': maxAttempts, ':now': now, ...window },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            );
            return { allowed: true };
          } catch (error) {
            if (!isConditionFailure(error) || !error.Item) throw error;
            const previous = unmarshall(error.Item) as { expiresAt: number };
            if (previous.expiresAt > now) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((previous.expiresAt - now) / 1000)) };
            try {
              await client.send(
                new UpdateCommand({
                  TableName: tableName,
                  Key: attemptsKey(email),
                  ConditionExpression: 'expiresAt = :previous',
                  UpdateExpression: 'SET failures = :one, expiresAt = :expiresAt, #ttl = :ttl',
                  ExpressionAttributeNames: { '#ttl': 'ttl' },
                  ExpressionAttributeValues: { ':one': 1, ':previous': previous.expiresAt, ...window },
                }),
              );
              return { allowed: true };
            } catch (resetError) {
              if (!isConditionFailure(resetError)) throw resetError;
            }
          }
        }
        return { allowed: false, retryAfterSeconds: 1 };
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async clearAttempts(email) {
      try {
        await client.send(new DeleteCommand({ TableName: tableName, Key: attemptsKey(email) }));
      } catch (error) {
        translateStorageError(error);
      }
    },

    async uncountAttempt(email) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: attemptsKey(email),
            ConditionExpression: 'failures > :zero',
            UpdateExpression: 'ADD failures :minusOne',
            ExpressionAttributeValues: { ':zero': 0, ':minusOne': -1 },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) translateStorageError(error);
      }
    },

    async replacePasswordHash(email, expectedHash, nextHash) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConditionExpression: 'passwordHash = :expected',
            UpdateExpression: 'SET passwordHash = :next',
            ExpressionAttributeValues: { ':expected': expectedHash, ':next': nextHash },
          }),
        ),
      );
    },

    async setRoles(userId, roles) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: userKey(userId) }));
        if (!Item) return undefined;
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(String(Item.email)),
            // The email item must still be this account's (it may have been deleted and the email registered again).
            ConditionExpression: 'userId = :userId',
            UpdateExpression: 'SET #roles = :roles ADD rolesVersion :one',
            ExpressionAttributeNames: { '#roles': 'roles' },
            ExpressionAttributeValues: { ':userId': userId, ':roles': [...roles], ':one': 1 },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toAccount(Attributes!);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        return translateStorageError(error);
      }
    },

    async listWithRoles() {
      const found: AccountCredentials[] = [];
      try {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new ScanCommand({
              TableName: tableName,
              FilterExpression: 'begins_with(pk, :prefix) AND size(#roles) > :none',
              ExpressionAttributeNames: { '#roles': 'roles' },
              ExpressionAttributeValues: { ':prefix': EMAIL_KEY_PREFIX, ':none': 0 },
              ExclusiveStartKey: start,
              ConsistentRead: true,
            }),
          );
          found.push(...(page.Items ?? []).map(toAccount));
          start = page.LastEvaluatedKey;
        } while (start);
      } catch (error) {
        return translateStorageError(error);
      }
      return found.sort((a, b) => a.email.localeCompare(b.email));
    },

    async setDisabled({ id, email }, disabled) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConditionExpression: 'userId = :userId',
            UpdateExpression: disabled ? `SET ${DISABLED_ATTRIBUTE} = :true ${NEXT_CREDENTIALS_VERSION.clause}` : `REMOVE ${DISABLED_ATTRIBUTE}`,
            ExpressionAttributeValues: { ':userId': id, ...(disabled ? { ':true': true, ...NEXT_CREDENTIALS_VERSION.values } : {}) },
          }),
        ),
      );
    },
  };
}
