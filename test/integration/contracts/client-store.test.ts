import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClientStore } from '../../../lib/aws/dynamodb-client-store';
import type { OAuthClient } from '../../../lib/oauth/client';
import { newClientId } from '../../../lib/oauth/client-secret';
import { ClientIdTakenError, type ClientStore } from '../../../lib/oauth/client-store';
import { createMemoryClientStore } from '../../../lib/oauth/memory-client-store';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
const T = Date.UTC(2026, 5, 1);

const confidential = (overrides: Partial<OAuthClient> = {}): OAuthClient => ({
  clientId: newClientId(),
  clientName: 'Web app',
  redirectUris: ['https://app.example.com/cb', 'https://app.example.com/other'],
  postLogoutRedirectUris: [],
  grantTypes: ['authorization_code', 'refresh_token'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  scope: 'openid profile',
  firstParty: true,
  allowedResources: ['https://api.example.com'],
  createdAt: T,
  secretHash: 'hash-1',
  ...overrides,
});
const publicClient = (): OAuthClient => {
  const { secretHash: _none, ...client } = confidential({ tokenEndpointAuthMethod: 'none', firstParty: false, scope: '' });
  return client;
};

describeContract<ClientStore>('client store', { memory: () => createMemoryClientStore(), dynamodb: () => createDynamoDbClientStore(local.client, local.clientsTable) }, (build, adapter) => {
  it('keeps a client as given: lists in their order, an empty scope and empty lists included', async () => {
    const clients = build();
    const client = confidential();
    const spa = publicClient();
    await clients.create(client);
    await clients.create(spa);
    expect(await clients.get(client.clientId)).toEqual(client);
    expect(await clients.get(spa.clientId)).toEqual(spa);
    expect(await clients.get(newClientId())).toBeUndefined();
  });

  it('never creates over an existing client (ClientIdTakenError), and the first one stays', async () => {
    const clients = build();
    const client = confidential();
    await clients.create(client);
    await expect(clients.create({ ...client, clientName: 'Impostor', secretHash: 'hash-2' })).rejects.toThrow(ClientIdTakenError);
    expect(await clients.get(client.clientId)).toEqual(client);
  });

  it('rotates the secret of a confidential client in one conditional write; refuses an unknown or public client', async () => {
    const clients = build();
    const client = confidential();
    const spa = publicClient();
    await clients.create(client);
    await clients.create(spa);
    expect(await clients.rotateSecret(client.clientId, 'hash-2', T + 1_000)).toEqual({ rotated: { ...client, secretHash: 'hash-2', secretRotatedAt: T + 1_000 } });
    expect(await clients.get(client.clientId)).toEqual({ ...client, secretHash: 'hash-2', secretRotatedAt: T + 1_000 });
    expect(await clients.rotateSecret(spa.clientId, 'hash-3', T)).toEqual({ refused: 'no_secret' });
    expect(await clients.get(spa.clientId)).toEqual(spa);
    const unknown = newClientId();
    expect(await clients.rotateSecret(unknown, 'hash-3', T)).toEqual({ refused: 'not_found' });
    // The refused rotation created nothing.
    expect(await clients.get(unknown)).toBeUndefined();
  });

  it('deletes a client once: the second delete finds nothing', async () => {
    const clients = build();
    const client = confidential();
    await clients.create(client);
    expect(await clients.delete(client.clientId)).toBe(true);
    expect(await clients.get(client.clientId)).toBeUndefined();
    expect(await clients.delete(client.clientId)).toBe(false);
  });

  it('lists every client once, page by page', async () => {
    const clients = build();
    const created = Array.from({ length: 7 }, () => confidential());
    for (const client of created) await clients.create(client);
    const seen: OAuthClient[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await clients.list({ after, limit: 3 });
      expect(page.clients.length).toBeLessThanOrEqual(3);
      seen.push(...page.clients);
      after = page.next;
      pages++;
    } while (after !== undefined && pages < 1_000);
    const ids = seen.map((client) => client.clientId);
    // DynamoDB's table is shared by the run's tests: it holds other clients too.
    expect(new Set(ids).size).toBe(ids.length);
    for (const client of created) expect(seen).toContainEqual(client);
    if (adapter === 'memory') expect(seen).toHaveLength(7);
  });
});

describe('client store (DynamoDB): what is stored', () => {
  it('stores the secret\'s hash only, under the client id', async () => {
    const clients = createDynamoDbClientStore(local.client, local.clientsTable);
    const client = confidential();
    await clients.create(client);
    const { Item } = await local.client.send(new GetCommand({ TableName: local.clientsTable, Key: { clientId: client.clientId } }));
    expect(Item).toMatchObject({ clientId: client.clientId, secretHash: 'hash-1', redirectUris: client.redirectUris });
  });
});
