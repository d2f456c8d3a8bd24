import { randomBytes, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { createDynamoDbChallengeStore, createDynamoDbPasskeyStore } from '../../lib/aws/dynamodb-passkey-store';
import { createMemoryChallengeStore, createMemoryPasskeyStore, type ChallengeStore, type PasskeyRecord, type PasskeyStore } from '../../lib/passkeys';

// One contract, two adapters: the memory stores the unit tests use must behave like DynamoDB's.
const requests: string[] = [];
const client = createDocumentClient({ endpoint: process.env.TEST_DYNAMODB_ENDPOINT, onRequest: (operation) => requests.push(operation) });
const table = process.env.TEST_USERS_TABLE!;

const adapters: [string, () => { passkeys: PasskeyStore; challenges: ChallengeStore }][] = [
  ['memory', () => ({ passkeys: createMemoryPasskeyStore(), challenges: createMemoryChallengeStore() })],
  ['DynamoDB', () => ({ passkeys: withAccounts(createDynamoDbPasskeyStore(client, table)), challenges: createDynamoDbChallengeStore(client, table) })],
];

/** The DynamoDB store adds a passkey only to an account that exists: these tests' accounts are made on the fly. */
function withAccounts(store: PasskeyStore): PasskeyStore {
  return {
    ...store,
    add: async (passkey, max) => {
      await client.send(new PutCommand({ TableName: table, Item: { pk: `USER#${passkey.userId}`, userId: passkey.userId } }));
      return store.add(passkey, max);
    },
  };
}

describe('the DynamoDB passkey store and a deleted account', () => {
  it('adds no passkey to an account that no longer exists (a registration racing DELETE /me)', async () => {
    const passkeys = createDynamoDbPasskeyStore(client, table);
    const userId = randomUUID();
    expect(await passkeys.add(passkeyOf(userId), 20)).toBe('account_missing');
    expect(await passkeys.listByUser(userId)).toEqual([]);
  });
});

const passkeyOf = (userId: string, overrides: Partial<PasskeyRecord> = {}): PasskeyRecord => ({
  credentialId: randomBytes(16).toString('base64url'),
  userId,
  publicKey: randomBytes(77).toString('base64url'),
  counter: 1,
  transports: ['hybrid', 'internal'],
  backedUp: true,
  deviceType: 'multiDevice',
  name: 'Phone',
  createdAt: 1_767_225_600_000,
  lastUsedAt: undefined,
  ...overrides,
});

describe.each(adapters)('passkey stores (%s)', (_name, build) => {
  it('adds, finds by credential id, lists by account and removes, keeping the list consistent', async () => {
    const { passkeys } = build();
    const userId = randomUUID();
    const first = passkeyOf(userId);
    const second = passkeyOf(userId, { counter: 0, transports: [], backedUp: false, deviceType: 'singleDevice' });
    expect(await passkeys.add(first, 20)).toBe('added');
    expect(await passkeys.add(second, 20)).toBe('added');
    expect(await passkeys.find(first.credentialId)).toEqual(first);
    expect((await passkeys.listByUser(userId)).sort((a, b) => a.counter - b.counter)).toEqual([second, first]);
    expect(await passkeys.listByUser(randomUUID())).toEqual([]);

    expect(await passkeys.remove(randomUUID(), first.credentialId)).toBe(false);
    expect(await passkeys.remove(userId, first.credentialId)).toBe(true);
    expect(await passkeys.remove(userId, first.credentialId)).toBe(false);
    expect(await passkeys.find(first.credentialId)).toBeUndefined();
    expect(await passkeys.listByUser(userId)).toEqual([second]);
  });

  it('refuses a credential id that is stored already (any account) and an account at its limit', async () => {
    const { passkeys } = build();
    const userId = randomUUID();
    const passkey = passkeyOf(userId);
    await passkeys.add(passkey, 2);
    expect(await passkeys.add({ ...passkey, userId: randomUUID() }, 2)).toBe('duplicate_credential');
    expect(await passkeys.add(passkeyOf(userId), 2)).toBe('added');
    expect(await passkeys.add(passkeyOf(userId), 2)).toBe('limit_reached');
    expect(await passkeys.listByUser(userId)).toHaveLength(2);
  });

  it('records a use only while the counter advances (0 after 0 allowed), and says why not', async () => {
    const { passkeys } = build();
    const counting = passkeyOf(randomUUID(), { counter: 5 });
    const counterless = passkeyOf(randomUUID(), { counter: 0 });
    await passkeys.add(counting, 20);
    await passkeys.add(counterless, 20);
    expect(await passkeys.recordUse(counting.credentialId, { counter: 5, lastUsedAt: 2, backedUp: false })).toBe('counter_not_advanced');
    expect(await passkeys.recordUse(counting.credentialId, { counter: 0, lastUsedAt: 2, backedUp: false })).toBe('counter_not_advanced');
    expect(await passkeys.recordUse(counting.credentialId, { counter: 6, lastUsedAt: 3, backedUp: false })).toBe('recorded');
    expect(await passkeys.find(counting.credentialId)).toMatchObject({ counter: 6, lastUsedAt: 3, backedUp: false });
    expect(await passkeys.recordUse(counterless.credentialId, { counter: 0, lastUsedAt: 4, backedUp: true })).toBe('recorded');
    expect(await passkeys.recordUse(randomBytes(16).toString('base64url'), { counter: 1, lastUsedAt: 4, backedUp: true })).toBe('missing');
  });

  it('removes every passkey of one account, idempotently', async () => {
    const { passkeys } = build();
    const userId = randomUUID();
    const other = passkeyOf(randomUUID());
    const mine = [passkeyOf(userId), passkeyOf(userId), passkeyOf(userId)];
    for (const passkey of [...mine, other]) await passkeys.add(passkey, 20);
    await passkeys.removeAllOf(userId);
    await passkeys.removeAllOf(userId);
    await passkeys.removeAllOf(randomUUID());
    expect(await passkeys.listByUser(userId)).toEqual([]);
    for (const passkey of mine) expect(await passkeys.find(passkey.credentialId)).toBeUndefined();
    expect(await passkeys.find(other.credentialId)).toEqual(other);
    expect(await passkeys.add(passkeyOf(userId), 20)).toBe('added');
  });

  it('takes a challenge once, only for its purpose, account and lifetime', async () => {
    const { challenges } = build();
    const userId = randomUUID();
    const key = () => randomBytes(32).toString('base64url');
    const registration = { purpose: 'registration' as const, challengeHash: 'h1', userId, expiresAt: 10_000 };
    const [a, b, c] = [key(), key(), key()];
    await challenges.put(a, registration);
    expect(await challenges.take(a, { purpose: 'login', now: 0 })).toBeUndefined();
    expect(await challenges.take(a, { purpose: 'registration', now: 0, userId: randomUUID() })).toBeUndefined();
    expect(await challenges.take(a, { purpose: 'registration', now: 10_000, userId })).toBeUndefined();
    expect(await challenges.take(a, { purpose: 'registration', now: 9_999, userId })).toEqual(registration);
    expect(await challenges.take(a, { purpose: 'registration', now: 9_999, userId })).toBeUndefined();

    const login = { purpose: 'login' as const, challengeHash: 'h2', expiresAt: 10_000 };
    await challenges.put(b, login);
    expect(await challenges.take(b, { purpose: 'login', now: 1 })).toMatchObject(login);
    expect(await challenges.take(c, { purpose: 'login', now: 1 })).toBeUndefined();
  });
});

describe('DynamoDB passkey store requests', () => {
  it('finds a passkey with one GetItem, lists with GetItem and BatchGetItem, takes a challenge with one DeleteItem', async () => {
    const passkeys = withAccounts(createDynamoDbPasskeyStore(client, table));
    const challenges = createDynamoDbChallengeStore(client, table);
    const passkey = passkeyOf(randomUUID());
    await passkeys.add(passkey, 20);
    requests.length = 0;
    await passkeys.find(passkey.credentialId);
    expect(requests).toEqual(['GetItem']);
    requests.length = 0;
    await passkeys.listByUser(passkey.userId);
    expect(requests).toEqual(['GetItem', 'BatchGetItem']);
    const key = randomBytes(32).toString('base64url');
    await challenges.put(key, { purpose: 'login', challengeHash: 'h', expiresAt: Date.now() + 300_000 });
    requests.length = 0;
    await Promise.all([challenges.take(key, { purpose: 'login', now: Date.now() }), challenges.take(key, { purpose: 'login', now: Date.now() })]).then((taken) =>
      expect(taken.filter(Boolean)).toHaveLength(1),
    );
    expect(requests).toEqual(['DeleteItem', 'DeleteItem']);
  });
});
