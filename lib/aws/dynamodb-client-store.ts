import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { GrantType, OAuthClient, TokenEndpointAuthMethod } from '../oauth/client';
import { ClientIdTakenError, type ClientStore } from '../oauth/client-store';
import { isConditionFailure, translateStorageError } from './dynamodb';

/**
 * Clients in their own table (infra/tables.js ClientsTable), one item per client keyed by
 * `clientId`, with the record's names as attributes. The one home of the table's key and
 * attribute names.
 *
 * - create: a Put under `attribute_not_exists(clientId)`, so an id collision never overwrites.
 * - rotateSecret: one Update under `attribute_exists(secretHash)` (only a confidential client has
 *   a hash), returning the item on failure to tell an unknown client from a public one.
 * - list: a Scan of the table (it holds clients only), in hash order, at most MAX_SCAN_CALLS calls a
 *   page; `next` is the last client id listed or where the Scan stopped.
 */
export const CLIENTS_KEY = 'clientId';
export const MAX_SCAN_CALLS = 5;

const HAS_SECRET = 'attribute_exists(secretHash)';

export function toClient(item: Record<string, unknown>): OAuthClient {
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  return {
    clientId: String(item.clientId),
    clientName: String(item.clientName),
    redirectUris: list(item.redirectUris),
    postLogoutRedirectUris: list(item.postLogoutRedirectUris),
    grantTypes: list(item.grantTypes) as GrantType[],
    tokenEndpointAuthMethod: String(item.tokenEndpointAuthMethod) as TokenEndpointAuthMethod,
    scope: typeof item.scope === 'string' ? item.scope : '',
    firstParty: item.firstParty === true,
    allowedResources: list(item.allowedResources),
    createdAt: Number(item.createdAt),
    ...(typeof item.secretHash === 'string' ? { secretHash: item.secretHash } : {}),
    ...(item.secretRotatedAt !== undefined ? { secretRotatedAt: Number(item.secretRotatedAt) } : {}),
  };
}

export function createDynamoDbClientStore(client: DynamoDBDocumentClient, tableName: string): ClientStore {
  return {
    async create(record) {
      try {
        // Lists are stored as lists (not sets): order is kept and an empty list is allowed.
        await client.send(new PutCommand({ TableName: tableName, Item: { ...record }, ConditionExpression: `attribute_not_exists(${CLIENTS_KEY})` }));
      } catch (error) {
        if (isConditionFailure(error)) throw new ClientIdTakenError();
        translateStorageError(error);
      }
    },

    async get(clientId) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { [CLIENTS_KEY]: clientId }, ConsistentRead: true }));
        return Item ? toClient(Item) : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async list({ after, limit }) {
      const clients: OAuthClient[] = [];
      let start: Record<string, unknown> | undefined = after === undefined ? undefined : { [CLIENTS_KEY]: after };
      try {
        for (let call = 0; call < MAX_SCAN_CALLS; call++) {
          const { Items = [], LastEvaluatedKey } = await client.send(new ScanCommand({ TableName: tableName, Limit: limit - clients.length, ExclusiveStartKey: start }));
          for (const item of Items) clients.push(toClient(item));
          if (clients.length >= limit) return { clients, next: clients.at(-1)!.clientId };
          if (!LastEvaluatedKey) return { clients };
          start = LastEvaluatedKey;
        }
        return { clients, next: String(start![CLIENTS_KEY]) };
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async delete(clientId) {
      try {
        await client.send(new DeleteCommand({ TableName: tableName, Key: { [CLIENTS_KEY]: clientId }, ConditionExpression: `attribute_exists(${CLIENTS_KEY})` }));
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        return translateStorageError(error);
      }
    },

    async rotateSecret(clientId, secretHash, rotatedAt) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [CLIENTS_KEY]: clientId },
            UpdateExpression: 'SET secretHash = :hash, secretRotatedAt = :at',
            ConditionExpression: HAS_SECRET,
            ExpressionAttributeValues: { ':hash': secretHash, ':at': rotatedAt },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { rotated: toClient(Attributes!) };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { refused: error.Item ? 'no_secret' : 'not_found' };
        return translateStorageError(error);
      }
    },
  };
}
