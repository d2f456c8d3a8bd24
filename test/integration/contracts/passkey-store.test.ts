import { randomBytes, randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { createDocumentClient } from '../../../lib/aws/dynamodb';
import { createDynamoDbPasskeyStore } from '../../../lib/aws/dynamodb-passkey-store';
import { createDynamoDbTicketStore } from '../../../lib/aws/dynamodb-ticket-store';
import { emailKey } from '../../../lib/aws/users-table';
import { createChallengeStore, createMemoryChallengeStore, createMemoryPasskeyStore, type AddPasskeyResult, type ChallengeStore, type PasskeyRecord, type PasskeyStore } from '../../../lib/passkeys';

// One contract, two adapters: the memory stores the unit tests use must behave like DynamoDB's.
const requests: string[] = [];
const client = createDocumentClient({ endpoint: process.env.TEST_DYNAMODB_ENDPOINT, onRequest: (operation) => requests.push(operation) });
const table = process.env.TEST_USERS_TABLE!;

/** The account of a test passkey: its email item, at `credentialsVersion`. */
const accountOf = (userId: string, credentialsVersion = 0) => ({ email: `${userId}@passkeys.example`, credentialsVersion });

/** A passkey store whose accounts the tests make on the fly (the store adds a passkey only to an account that exists). */
interface TestPasskeyStore extends Omit<PasskeyStore, 'add'> {
  add(passkey: PasskeyRecord, max: number): Promise<AddPasskeyResult>;
  /** Adds for the account as a challenge of `credentialsVersion` would, without making the account. */
  addBound(passkey: PasskeyRecord, max: number, credentialsVersion: number): Promise<AddPasskeyResult>;
  /** Makes the account exist at `credentialsVersion` (a password reset or change bumps it). */
  setAccount(userId: string, credentialsVersion: number): Promise<void>;
}

function memoryStores(): { passkeys: TestPasskeyStore; challenges: ChallengeStore } {
  const users = createMemoryUserStore();
  const store = createMemoryPasskeyStore(users);
  const setAccount = async (userId: string, credentialsVersion: number) => {
    const { email } = accountOf(userId);
    users.accounts.set(email, { id: userId, email, passwordHash: 'h', createdAt: 0, emailVerified: true, mfaEnabled: false, credentialsVersion });
  };
  return { passkeys: withAccounts(store, setAccount, async (userId) => Boolean(await users.findById(userId))), challenges: createMemoryChallengeStore() };
}

function dynamoDbStores(): { passkeys: TestPasskeyStore; challenges: ChallengeStore } {
  const known = new Set<string>();
  const setAccount = async (userId: string, credentialsVersion: number) => {
    // An account stored before versions existed has no attribute; it counts as 0.
    const versioned = credentialsVersion === 0 ? {} : { credentialsVersion };
    await client.send(new PutCommand({ TableName: table, Item: { ...emailKey(accountOf(userId).email), userId, ...versioned } }));
    known.add(userId);
  };
  return { passkeys: withAccounts(createDynamoDbPasskeyStore(client, table), setAccount, async (userId) => known.has(userId)), challenges: createChallengeStore(createDynamoDbTicketStore(client, table)) };
}

function withAccounts(store: PasskeyStore, setAccount: TestPasskeyStore['setAccount'], exists: (userId: string) => Promise<boolean>): TestPasskeyStore {
  return {
    ...store,
    setAccount,
    addBound: (passkey, max, credentialsVersion) => store.add(passkey, max, accountOf(passkey.userId, credentialsVersion)),
    add: async (passkey, max) => {
      if (!(await exists(passkey.userId))) await setAccount(passkey.userId, 0);
      return store.add(passkey, max, accountOf(passkey.userId));
    },
  };
}

const adapters: [string, () => { passkeys: TestPasskeyStore; challenges: ChallengeStore }][] = [
  ['memory', memoryStores],
  ['DynamoDB', dynamoDbStores],
];

describe.each(adapters)('a passkey store and its account (%s)', (_name, build) => {
  it('adds no passkey to an account that no longer exists (a registration racing DELETE /me)', async () => {
    const { passkeys } = build();
    const userId = randomUUID();
    expect(await passkeys.addBound(passkeyOf(userId), 20, 0)).toBe('account_missing');
    expect(await passkeys.listByUser(userId)).toEqual([]);
  });

  it('adds a passkey only while the account has the credentials version of the challenge', async () => {
    const { passkeys } = build();
    const userId = randomUUID();
    await passkeys.setAccount(userId, 0);
    expect(await passkeys.addBound(passkeyOf(userId), 20, 0)).toBe('added');
    // A password reset or change moves the account on: a challenge issued before it adds nothing.
    await passkeys.setAccount(userId, 1);
    const late = passkeyOf(userId);
    expect(await passkeys.addBound(late, 20, 0)).toBe('credentials_changed');
    expect(await passkeys.find(late.credentialId)).toBeUndefined();
    expect(await passkeys.listByUser(userId)).toHaveLength(1);
    expect(await passkeys.addBound(passkeyOf(userId), 20, 1)).toBe('added');
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
    const registration = { purpose: 'registration' as const, challengeHash: 'h1', account: { userId, email: `${userId}@passkeys.example`, credentialsVersion: 3 }, expiresAt: 10_000 };
    const [a, b, c] = [key(), key(), key()];
    await challenges.put(a, registration);
    expect(await challenges.take(a, { purpose: 'login', now: 0 })).toBeUndefined();
    expect(await challenges.take(a, { purpose: 'registration', now: 0, userId: randomUUID() })).toBeUndefined();
    expect(await challenges.take(a, { purpose: 'registration', now: 10_000, userId })).toBeUndefined();
    expect(await challenges.take(a, { purpose: 'registration', now: 9_999, userId })).toEqual(registration);
    expect(await challenges.take(a, { purpose: 'registration', now: 9_999, userId })).toBeUndefined();

    const login = { purpose: 'login' as const, challengeHash: 'h2', expiresAt: 10_000 };
    await challenges.put(b, login);
    expect(await challenges.take(b, { purpose: 'login', now: 1 })).toEqual({ ...login, account: undefined });
    // A login challenge asked for with an account's email carries that account's binding.
    const bound = { ...login, account: { userId, email: `${userId}@passkeys.example`, credentialsVersion: 0 } };
    await challenges.put(b, bound);
    expect(await challenges.take(b, { purpose: 'login', now: 1 })).toEqual(bound);
    expect(await challenges.take(c, { purpose: 'login', now: 1 })).toBeUndefined();
  });
});

describe('DynamoDB passkey store requests', () => {
  it('finds a passkey with one GetItem, lists with GetItem and BatchGetItem, takes a challenge with one DeleteItem', async () => {
    const { passkeys, challenges } = dynamoDbStores();
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
