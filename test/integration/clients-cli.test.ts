import { createDynamoDbClientStore } from '../../lib/aws/dynamodb-client-store';
import { createKeyring } from '../../lib/core/keyring';
import { createClientSecrets } from '../../lib/oauth/client-secret';
import { tableNames } from '../../infra/tables.js';
import { SERVICE_NAME } from '../../scripts/dev/dynamodb-local';
import { generateHashKey } from '../../scripts/dev/keys';
import { runCliScript } from '../support/admin-cli';
import { localDynamoDb } from '../support/store-contract';

// The CLI's default target is the `dev` stage of the local DynamoDB; the global setup made its tables.
// The hash key is given in the environment, as `npm start` would have it, so the test never touches .keys/.
const HASH_KEY = generateHashKey();
const clients = (...args: string[]) => runCliScript('clients.ts', args, { REFRESH_TOKEN_HASH_KEY: HASH_KEY });
const stored = createDynamoDbClientStore(localDynamoDb().client, tableNames(SERVICE_NAME, 'dev').clients);
const secrets = createClientSecrets(createKeyring(Buffer.from(HASH_KEY, 'base64url')));

describe('npm run clients (the operator\'s CLI, on the local DynamoDB)', () => {
  it('create prints the client as one JSON object with its secret, which only the stored keyed hash verifies; list shows it; rotate-secret replaces it', async () => {
    // Act
    const created = await clients(
      'create', '--name', 'CLI app',
      '--redirect-uri', 'https://app.example.com/cb', '--redirect-uri', 'http://127.0.0.1/cb',
      '--post-logout-redirect-uri', 'https://app.example.com/',
      '--resource', 'https://api.example.com',
      '--first-party', '--scope', 'openid users:read',
    );
    // Assert
    expect(created).toMatchObject({ code: 0 });
    const client = JSON.parse(created.stdout);
    expect(client).toEqual({
      client_id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_name: 'CLI app',
      redirect_uris: ['https://app.example.com/cb', 'http://127.0.0.1/cb'],
      post_logout_redirect_uris: ['https://app.example.com/'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid users:read',
      first_party: true,
      allowed_resources: ['https://api.example.com'],
      created_at: expect.any(String),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      client_secret_expires_at: 0,
    });
    const record = (await stored.get(client.client_id))!;
    expect(JSON.stringify(record)).not.toContain(client.client_secret);
    expect(secrets.verifyClientSecret(record, client.client_secret)).toBe(true);
    expect(created.stderr).toContain('client_created');
    expect(created.stderr).not.toContain(client.client_secret);

    const listed = await clients('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${client.client_id}\tCLI app\tconfidential\thttps://app.example.com/cb http://127.0.0.1/cb`);
    expect(listed.stdout).not.toContain(client.client_secret);

    const rotated = await clients('rotate-secret', client.client_id);
    expect(rotated.code).toBe(0);
    const { client_secret: newSecret } = JSON.parse(rotated.stdout);
    const after = (await stored.get(client.client_id))!;
    expect(secrets.verifyClientSecret(after, newSecret)).toBe(true);
    expect(secrets.verifyClientSecret(after, client.client_secret)).toBe(false);
  }, 120_000);

  it('creates a public client without a secret, refuses to rotate it, and deletes it once', async () => {
    const created = await clients('create', '--name', 'Native app', '--public', '--redirect-uri', 'http://127.0.0.1/callback', '--grant', 'authorization_code');
    expect(created.code).toBe(0);
    const client = JSON.parse(created.stdout);
    expect(client).toMatchObject({ token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: 'openid profile email', first_party: false });
    expect(client).not.toHaveProperty('client_secret');
    expect(await clients('rotate-secret', client.client_id)).toMatchObject({ code: 1, stderr: expect.stringContaining('public client') });
    expect(await clients('delete', client.client_id)).toMatchObject({ code: 0, stdout: expect.stringContaining(`deleted client ${client.client_id}`) });
    expect(await stored.get(client.client_id)).toBeUndefined();
    expect(await clients('delete', client.client_id)).toMatchObject({ code: 1, stderr: expect.stringContaining(`no client has the id ${client.client_id}`) });
  }, 120_000);

  it('exits non-zero with a clear message for bad arguments or an unknown id', async () => {
    expect(await clients('create', '--redirect-uri', 'https://app.example.com/cb')).toMatchObject({ code: 2, stderr: expect.stringContaining('create needs --name') });
    expect(await clients('create', '--name', 'x', '--redirect-uri', 'http://app.example.com/cb')).toMatchObject({ code: 2, stderr: expect.stringContaining('redirect_uris must use https') });
    expect(await clients('create', '--name', 'x', '--public', '--grant', 'client_credentials')).toMatchObject({ code: 2, stderr: expect.stringContaining('client_credentials is for confidential clients only') });
    expect(await clients('create', '--name', 'x', '--grant', 'implicit', '--redirect-uri', 'https://app.example.com/cb')).toMatchObject({ code: 2, stderr: expect.stringContaining('grant_types') });
    expect(await clients('create', '--name', 'x', '--colour', 'blue')).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--colour'") });
    expect(await clients('rotate-secret')).toMatchObject({ code: 2, stderr: expect.stringContaining('rotate-secret takes <id>') });
    expect(await clients('delete', 'no-such-client')).toMatchObject({ code: 1, stderr: expect.stringContaining('no client has the id no-such-client') });
    expect(await clients('list', '--name', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--name goes with create') });
    expect(await clients('promote')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "promote"') });
    expect(await clients('list', '--region', 'eu-west-1')).toMatchObject({ code: 2, stderr: expect.stringContaining('--region goes with --stage') });
  }, 180_000);
});
