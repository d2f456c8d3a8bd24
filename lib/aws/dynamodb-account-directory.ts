import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountDirectory } from '../admin/account-directory';
import { translateStorageError } from './dynamodb';
import { toAccount } from './dynamodb-user-store';
import { emailKey, PARTITION_KEY } from './users-table';

/**
 * The admin listing over the users table: a Scan filtered on `begins_with(pk, "EMAIL#<prefix>")`,
 * projecting only what a listing shows. A Scan reads the whole table (every kind of item, 1 MB a
 * call), which is acceptable for an admin's occasional listing and costs nothing on any other
 * path; a sparse index would make every registration pay for it and need a backfill. Pages come in
 * the table's hash order, not by email. One request reads at most MAX_SCAN_CALLS calls' worth; a
 * page may then be short (or empty) with a `next` that goes on from there.
 *
 * `next` is a users-table key: the last account listed, or where the Scan stopped (which may be
 * an item of another kind, such as a ticket's keyed hash: useless without the key and the token).
 */
export const MAX_SCAN_CALLS = 5;

const LISTED = ['pk', 'userId', 'email', 'createdAt', 'emailVerified', 'totpEnabled', 'credentialsVersion', 'disabled', 'roles'];

export function createDynamoDbAccountDirectory(client: DynamoDBDocumentClient, tableName: string): AccountDirectory {
  return {
    async list({ emailPrefix, after, limit }) {
      const names = Object.fromEntries(LISTED.map((name, index) => [`#a${index}`, name]));
      const accounts = [];
      let start: Record<string, unknown> | undefined = after === undefined ? undefined : { [PARTITION_KEY]: after };
      try {
        for (let call = 0; call < MAX_SCAN_CALLS; call++) {
          const { Items = [], LastEvaluatedKey } = await client.send(
            new ScanCommand({
              TableName: tableName,
              FilterExpression: `begins_with(#a0, :prefix)`,
              ProjectionExpression: Object.keys(names).join(', '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':prefix': emailKey(emailPrefix).pk },
              ExclusiveStartKey: start,
            }),
          );
          for (const item of Items) {
            accounts.push(toAccount(item));
            // The page is full: the next one starts after this account (a Scan goes on from any key).
            if (accounts.length === limit) return { accounts, next: String(item[PARTITION_KEY]) };
          }
          if (!LastEvaluatedKey) return { accounts };
          start = LastEvaluatedKey;
        }
        return { accounts, next: String(start![PARTITION_KEY]) };
      } catch (error) {
        return translateStorageError(error);
      }
    },
  };
}
