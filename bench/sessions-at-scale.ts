/**
 * Sessions at scale, against DynamoDB Local: logout-all time by number of sessions, the items a
 * session listing reads when most of an account's sessions are revoked, and the capacity units
 * each session write consumes (ReturnConsumedCapacity INDEXES: table and index apart).
 */
import { performance } from 'node:perf_hooks';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { createPasswordHasher } from '../lib/accounts/password';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { createDynamoDbSessionStore } from '../lib/aws/dynamodb-session-store';
import { loadStorageConfig, type Env } from '../lib/core/config';
import type { SessionStore } from '../lib/sessions/session-store';
import { newSessionId } from '../lib/tokens/refresh-token';
import { BENCH_PASSWORD, benchEmail } from './dynamodb-requests';
import { createBenchService } from './service';
import { median } from './stats';
import { sessionClaimsWith } from '../lib/tokens/session-claims';

/** Session counts of the logout-all figure. */
export const LOGOUT_ALL_SIZES = [10, 100, 1000] as const;
/** The listing scenario: this many revoked sessions, then this many live ones. */
export const LISTING_REVOKED = 1000;
export const LISTING_LIVE = 10;
/** A refresh must consume this many write units in all (its item; no index entry). */
export const REFRESH_WRITE_UNITS_GOAL = 1;

const SEED_BATCH = 50;
// A real browser's user agent: the item's size, and so its write units, is that of a real session.
const BROWSER = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36', ip: '203.0.113.9' };

/** Capacity units of one or more requests, the table's and the indexes' apart. */
export interface CapacityUnits {
  readonly table: number;
  readonly indexes: number;
  readonly total: number;
}

export interface LogoutAllFigure {
  readonly sessions: number;
  /** Milliseconds per run of endAllSessions, and their median. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** Requests of one run, by operation. */
  readonly requests: Readonly<Record<string, number>>;
  readonly writeUnits: CapacityUnits;
}

export interface ListingFigure {
  readonly label: string;
  readonly revoked: number;
  readonly live: number;
  readonly sessionsListed: number;
  readonly calls: readonly string[];
  /** Index entries the Query returned (Count) and read (ScannedCount). */
  readonly queryCount: number;
  readonly queryScannedCount: number;
  /** Items the BatchGetItem returned. */
  readonly batchItems: number;
  /** Every item read: index entries scanned plus items fetched. */
  readonly itemsRead: number;
  readonly readUnits: CapacityUnits;
  readonly medianMs: number;
}

export interface WriteUnitsFigure {
  readonly operation: string;
  readonly calls: readonly string[];
  /** Write units of its writes (PutItem, UpdateItem, DeleteItem, TransactWriteItems). */
  readonly units: CapacityUnits;
  /** Read units of its reads, for reference. */
  readonly readUnits: CapacityUnits;
  readonly goal?: { readonly text: string; readonly met: boolean } | undefined;
}

export interface SessionScaleReport {
  readonly logoutAll: readonly LogoutAllFigure[];
  readonly listings: readonly ListingFigure[];
  readonly writeUnits: readonly WriteUnitsFigure[];
}

/** Sums ConsumedCapacity entries (INDEXES detail) into table and index units. */
export function sumCapacity(entries: readonly ConsumedCapacity[]): CapacityUnits {
  let table = 0;
  let indexes = 0;
  for (const entry of entries) {
    const indexUnits = [...Object.values(entry.GlobalSecondaryIndexes ?? {}), ...Object.values(entry.LocalSecondaryIndexes ?? {})].reduce((sum, index) => sum + (index.CapacityUnits ?? 0), 0);
    // With INDEXES, Table holds the table's share; CapacityUnits is the whole request's.
    const tableUnits = entry.Table?.CapacityUnits ?? (entry.CapacityUnits ?? 0) - indexUnits;
    table += tableUnits;
    indexes += indexUnits;
  }
  return { table, indexes, total: table + indexes };
}

/**
 * The seeding's client waits longer than a function's (lib/aws/aws-call-limits.ts): 50 writes in
 * flight to DynamoDB Local on busy shared cores may take seconds, and nothing of it is measured.
 */
const SEEDING_LIMITS = { connectMs: 2_000, attemptMs: 20_000, maxAttempts: 3, callBudgetMs: 60_000 };

/** Sessions created straight in the store: 1,000 logins would be 1,000 password hashes. */
async function seedSessions(store: SessionStore, userId: string, count: number, start = Date.now()): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(SEED_BATCH, count - offset) }, async (_, index) => {
        const createdAt = start + offset + index;
        const id = newSessionId();
        ids.push(id);
        await store.create({ id, userId, createdAt, lastUsedAt: createdAt, idleExpiresAt: createdAt + 3_600_000, absoluteExpiresAt: createdAt + 7_200_000, generation: 0, tokenHash: 'seeded', claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(createdAt / 1000) }), ...BROWSER });
      }),
    );
  }
  return ids;
}

const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan', 'TransactGetItems']);

const countBy = (values: readonly string[]) => values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

/**
 * Runs the three measurements on one service over DynamoDB Local; every request is
 * counted and asked for its consumed capacity. `env` is a complete function environment.
 */
export async function measureSessionsAtScale(
  env: Env,
  {
    logoutAllRuns,
    listingRuns = 5,
    sizes = LOGOUT_ALL_SIZES,
    listingRevoked = LISTING_REVOKED,
  }: { logoutAllRuns: number; listingRuns?: number; sizes?: readonly number[]; listingRevoked?: number },
): Promise<SessionScaleReport> {
  const calls: string[] = [];
  let capacity: { operation: string; entry: ConsumedCapacity }[] = [];
  const consumedBy = (reads: boolean) => sumCapacity(capacity.filter((item) => READS.has(item.operation) === reads).map((item) => item.entry));
  const queries: { count: number; scanned: number }[] = [];
  const batchItems: number[] = [];
  const service = await createBenchService(env, {
    onRequest: (operation) => void calls.push(operation),
    onConsumedCapacity: (operation, consumed) => void capacity.push(...consumed.map((entry) => ({ operation, entry }))),
    // The hash costs nothing that is measured here.
    passwords: createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 }),
  });
  // The Query's Count and ScannedCount, and the batch's item count, read off the raw responses.
  service.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const output = result.output as { Count?: number; ScannedCount?: number; Responses?: Record<string, unknown[]> };
      if (context.commandName === 'QueryCommand') queries.push({ count: output.Count ?? 0, scanned: output.ScannedCount ?? 0 });
      if (context.commandName === 'BatchGetItemCommand') batchItems.push(Object.values(output.Responses ?? {}).reduce((sum, items) => sum + items.length, 0));
      return result;
    },
    { step: 'initialize', name: 'benchReadCounts' },
  );
  const reset = () => {
    calls.length = 0;
    capacity = [];
    queries.length = 0;
    batchItems.length = 0;
  };
  const newAccount = async (prefix: string) => (await service.register(benchEmail(prefix), BENCH_PASSWORD)).userId;
  const storage = loadStorageConfig(env);
  const seeder = createDynamoDbSessionStore(createDocumentClient({ endpoint: storage.dynamoDbEndpoint, limits: SEEDING_LIMITS }), storage.sessionsTable, { usersTable: storage.usersTable });

  const logoutAll: LogoutAllFigure[] = [];
  for (const size of sizes) {
    const runsMs: number[] = [];
    let requests: Record<string, number> = {};
    let writeUnits: CapacityUnits = { table: 0, indexes: 0, total: 0 };
    for (let run = 0; run < logoutAllRuns; run++) {
      const userId = await newAccount(`logout-all-${size}`);
      await seedSessions(seeder, userId, size);
      reset();
      const start = performance.now();
      const ended = await service.logoutAll(userId);
      runsMs.push(performance.now() - start);
      if (ended !== size) throw new Error(`logout-all ended ${ended} of ${size} sessions`);
      requests = countBy(calls);
      writeUnits = consumedBy(false);
    }
    logoutAll.push({ sessions: size, runsMs, medianMs: median(runsMs), requests, writeUnits });
  }

  const listing = async (label: string, revoked: number, live: number): Promise<ListingFigure> => {
    const userId = await newAccount('listing');
    if (revoked > 0) {
      await seedSessions(seeder, userId, revoked);
      await service.logoutAll(userId);
    }
    const liveIds = await seedSessions(seeder, userId, live, Date.now() + 5_000);
    reset();
    const page = await service.listSessions(userId, liveIds[0]!);
    const figure = {
      calls: [...calls],
      queryCount: queries.reduce((sum, query) => sum + query.count, 0),
      queryScannedCount: queries.reduce((sum, query) => sum + query.scanned, 0),
      batchItems: batchItems.reduce((sum, items) => sum + items, 0),
      readUnits: consumedBy(true),
    };
    if (page.sessions.length !== live) throw new Error(`the listing showed ${page.sessions.length} of ${live} live sessions`);
    const times: number[] = [];
    for (let run = 0; run < listingRuns; run++) {
      const start = performance.now();
      await service.listSessions(userId, liveIds[0]!);
      times.push(performance.now() - start);
    }
    return { label, revoked, live, sessionsListed: page.sessions.length, ...figure, itemsRead: figure.queryScannedCount + figure.batchItems, medianMs: median(times) };
  };
  const listings = [
    await listing(`${listingRevoked.toLocaleString('en-US')} revoked + ${LISTING_LIVE} live`, listingRevoked, LISTING_LIVE),
    await listing(`${LISTING_LIVE} live only (reference)`, 0, LISTING_LIVE),
  ];

  const writeUnits: WriteUnitsFigure[] = [];
  const units = async <T>(operation: string, action: () => Promise<T>, goal?: (units: CapacityUnits) => { text: string; met: boolean }): Promise<T> => {
    reset();
    const result = await action();
    const consumed = consumedBy(false);
    writeUnits.push({ operation, calls: [...calls], units: consumed, readUnits: consumedBy(true), goal: goal?.(consumed) });
    return result;
  };
  const email = benchEmail('units');
  await units('register', () => service.register(email, BENCH_PASSWORD));
  const login = await units('login', () => service.login(email, BENCH_PASSWORD, BROWSER));
  const refreshed = await units('refresh', () => service.refresh(login.refreshToken, BROWSER), (consumed) => ({
    text: `= ${REFRESH_WRITE_UNITS_GOAL} WCU, 0 on the index`,
    met: consumed.total === REFRESH_WRITE_UNITS_GOAL && consumed.indexes === 0,
  }));
  await units('logout', () => service.logout(refreshed.refreshToken));
  return { logoutAll, listings, writeUnits };
}
