import { compose, needsOf, part, provide, withNeeds } from '../../../lib/compose/part';
import { frozenClock } from '../../support/fixtures';

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

describe('compose: one lazy start-up for every part', () => {
  it('builds each part once per composition, from the parts it uses, with the environment and clock', async () => {
    const builds: string[] = [];
    const config = part({ name: 'config', build: (_, { env }) => (builds.push('config'), env.TABLE) });
    const store = part({ name: 'store', uses: { table: config }, build: ({ table }, { clock }) => (builds.push('store'), { table, at: clock.now() }) });
    const service = part({ name: 'service', uses: { store, table: config }, build: ({ store: built, table }) => `${built.table}@${built.at}/${table}` });
    const root = compose({ TABLE: 'users' }, { clock: frozenClock(42) });
    expect(await root.get(service)).toBe('users@42/users');
    expect(await root.get(store)).toEqual({ table: 'users', at: 42 });
    expect(builds).toEqual(['config', 'store']);
    // Another composition builds its own.
    await compose({ TABLE: 'other' }).get(store);
    expect(builds).toEqual(['config', 'store', 'config', 'store']);
  });

  it('builds a part and its grant views (withNeeds) as one value', async () => {
    let builds = 0;
    const store = part({ name: 'store', build: () => ({ id: ++builds }) });
    const reader = withNeeds(store, { tables: { users: ['GetItem'] } });
    const writer = withNeeds(store, { tables: { users: ['PutItem'] } });
    const root = compose({});
    const [a, b, c] = await Promise.all([root.get(reader), root.get(writer), root.get(store)]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(builds).toBe(1);
  });

  it('lets an override replace any part, for the parts that use it too, and never builds the replaced one', async () => {
    const real = part<string>({ name: 'client', build: () => Promise.reject(new Error('would reach AWS')) });
    const store = part({ name: 'store', uses: { client: real }, build: ({ client }) => `store over ${client}` });
    const root = compose({}, { overrides: [provide(real, 'test client')] });
    expect(await root.get(store)).toBe('store over test client');
    const view = withNeeds(store, { tables: { sessions: ['UpdateItem'] } });
    const replaced = compose({}, { overrides: [provide(store, 'memory store')] });
    expect(await replaced.get(view)).toBe('memory store');
  });

  it('forgets a failed build, answers that failure at once during the backoff, and builds again after it', async () => {
    let now = 1_000;
    let builds = 0;
    const secret = part({
      name: 'secret',
      build: () => {
        builds++;
        if (builds === 1) throw throttled();
        return 'key';
      },
    });
    const codec = part({ name: 'codec', uses: { secret }, build: ({ secret: key }) => `codec(${key})` });
    const root = compose({}, { now: () => now });
    await expect(root.get(codec)).rejects.toThrow('Rate exceeded');
    now += 100;
    await expect(root.get(codec)).rejects.toThrow('Rate exceeded');
    expect(builds).toBe(1);
    now += 150; // the first backoff is 250 ms
    await expect(root.get(codec)).resolves.toBe('codec(key)');
    expect(builds).toBe(2);
    await expect(root.get(secret)).resolves.toBe('key');
    expect(builds).toBe(2);
  });

  it('doubles the backoff while failures go on, up to 5 s', async () => {
    let now = 0;
    let builds = 0;
    const failing = part({
      name: 'failing',
      build: () => {
        builds++;
        throw throttled();
      },
    });
    const root = compose({}, { now: () => now });
    const attemptsAt = async (times: number[]) => {
      for (const time of times) {
        now = time;
        await expect(root.get(failing)).rejects.toThrow('Rate exceeded');
      }
    };
    await attemptsAt([0, 250, 600, 750]);
    expect(builds).toBe(3); // 0, 250 (after 250), 750 (after 500); 600 was inside the backoff
    await attemptsAt([1_749, 1_750, 3_750, 7_750, 12_750, 17_749]);
    expect(builds).toBe(7); // 1 s, 2 s, 4 s, then 5 s (not 8 s)
    await attemptsAt([17_750]);
    expect(builds).toBe(8);
  });

  it('parts(shape) builds named parts as one value', async () => {
    const a = part({ name: 'a', build: () => 1 });
    const b = part({ name: 'b', uses: { a }, build: ({ a: one }) => one + 1 });
    const ready = compose({}).parts({ first: a, second: b });
    await expect(ready()).resolves.toEqual({ first: 1, second: 2 });
  });
});

describe('needsOf: what a set of parts needs, with everything they use', () => {
  const client = part({ name: 'client', build: () => ({}) });
  const keys = part({ name: 'keys', needs: { secrets: ['hashKey'] }, build: () => ({}) });
  const store = part({ name: 'store', uses: { client }, build: () => ({}) });
  const issuer = part({ name: 'issuer', needs: { tables: { sessions: ['UpdateItem'] } }, uses: { store, keys }, build: () => ({}) });
  const mailer = part({ name: 'mailer', needs: { sendsEmail: true }, build: () => ({}) });
  const hasher = part({ name: 'hasher', needs: { native: ['@node-rs/argon2'] }, build: () => ({}) });

  it('is the union of the parts and their dependencies, each list in a fixed order without repeats', () => {
    const opener = withNeeds(issuer, { tables: { sessions: ['PutItem', 'UpdateItem'], sessionsByUser: ['Query'] } });
    expect(needsOf([withNeeds(store, { tables: { users: ['UpdateItem', 'GetItem'] } }), opener, mailer, hasher])).toEqual({
      tables: { users: ['GetItem', 'UpdateItem'], sessions: ['PutItem', 'UpdateItem'], sessionsByUser: ['Query'] },
      secrets: ['hashKey'],
      native: ['@node-rs/argon2'],
      sendsEmail: true,
      publishes: [],
    });
    expect(needsOf([store])).toEqual({ tables: {}, secrets: [], native: [], sendsEmail: false, publishes: [] });
    expect(needsOf([part({ name: 'jwks', needs: { publishes: ['idTokenPublicKeys'] }, build: () => ({}) }), store]).publishes).toEqual(['idTokenPublicKeys']);
  });

  it('counts a conditional need only where the deployed environment has its values', () => {
    const check = part({ name: 'check', needs: { tables: { sessions: ['GetItem'] }, when: { AUTHORIZER_CHECK_SESSION: 'true' } }, build: () => ({}) });
    const shared = part({ name: 'shared', needs: { secrets: ['signingKey'], when: { JWT_ALG: 'HS256' } }, uses: { check }, build: () => ({}) });
    expect(needsOf([shared], { JWT_ALG: 'ES256' })).toEqual({ tables: {}, secrets: [], native: [], sendsEmail: false, publishes: [] });
    expect(needsOf([shared], { JWT_ALG: 'HS256', AUTHORIZER_CHECK_SESSION: 'true' })).toMatchObject({ tables: { sessions: ['GetItem'] }, secrets: ['signingKey'] });
    // Without an environment (the most it may ever need), every need counts.
    expect(needsOf([shared])).toMatchObject({ tables: { sessions: ['GetItem'] }, secrets: ['signingKey'] });
  });
});
