/**
 * Parts and the one composition root.
 *
 * A Part is a named piece of a function (a store, a codec, a domain service) that says what it
 * needs from AWS — table actions per table, SSM secrets, native packages, sending email — and how
 * it is built from the parts it uses. A function's declaration (handlers/<name>.function.ts) lists
 * the parts it builds; its IAM role, its native packages and its serverless.yml entry are derived
 * from that list (infra/functions.js), so a function can only do what its parts declare.
 *
 * `compose(env, overrides)` builds parts: every part once per composition, on first use, with a
 * failed build forgotten and retried after a backoff. Production handlers, the authorizers, the
 * test fixtures and the bench all build through it; tests and the bench override the clock,
 * clients, stores or any part.
 *
 * This module imports nothing from AWS: the stateless authorizer's bundle stays jose-only.
 */
import { systemClock, type Clock } from '../core/clock';
import type { Env } from '../core/config';

/** The tables (and index) a part may touch; infra/iam.js maps each to its ARN. */
/** `auditAll` and `auditByType`: the audit table's indexes of every event and of one type (the admin's listing). `clients`: the OAuth client registry. */
export const TABLES = ['users', 'sessions', 'sessionsByUser', 'emailOutbox', 'audit', 'auditAll', 'auditByType', 'clients'] as const;
export type Table = (typeof TABLES)[number];

/** `Scan` only for the admin API's listings of accounts and of clients (lib/aws/dynamodb-account-directory.ts, dynamodb-client-store.ts). */
export const TABLE_ACTIONS = ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem', 'Query', 'Scan'] as const;
export type TableAction = (typeof TABLE_ACTIONS)[number];

/** The SSM secrets a part reads: the signing key, the keyed-hash server key (and its previous key while one is rotated out). */
export const SECRET_NEEDS = ['signingKey', 'hashKey'] as const;
export type SecretNeed = (typeof SECRET_NEEDS)[number];

/**
 * Public key sets that a deploy resolves (a parameter or SSM String) into the environment of only
 * the functions whose parts publish them: a Lambda's environment holds at most 4 KB.
 */
export const PUBLISHED_KEY_SETS = ['idTokenPublicKeys'] as const;
export type PublishedKeySet = (typeof PUBLISHED_KEY_SETS)[number];

/** What a part needs from the platform. */
export interface Needs {
  readonly tables?: Partial<Record<Table, readonly TableAction[]>>;
  readonly secrets?: readonly SecretNeed[];
  /** npm packages with a native binding that esbuild cannot bundle (added per function to its zip). */
  readonly native?: readonly string[];
  /** ses:SendEmail, as the EMAIL_FROM identity only. */
  readonly sendsEmail?: boolean;
  readonly publishes?: readonly PublishedKeySet[];
  /**
   * Only when the deployed environment has these values (`{ AUTHORIZER_CHECK_SESSION: 'true' }`):
   * a part that the function builds only under that setting needs nothing otherwise.
   */
  readonly when?: Readonly<Record<string, string>>;
}

/** The needs of a set of parts, each list sorted and without repeats. */
export interface NeedsSummary {
  readonly tables: Partial<Record<Table, TableAction[]>>;
  readonly secrets: SecretNeed[];
  readonly native: string[];
  readonly sendsEmail: boolean;
  readonly publishes: PublishedKeySet[];
}

/** What every build gets besides its parts. */
export interface BuildContext {
  readonly env: Env;
  readonly clock: Clock;
}

type Built<Uses> = { [K in keyof Uses]: Uses[K] extends Part<infer T> ? T : never };
type AnyUses = Record<string, Part<unknown>>;

export interface Part<T> {
  readonly name: string;
  /** What this part itself needs (not its dependencies'). */
  readonly needs: readonly Needs[];
  readonly uses: AnyUses;
  /** Which built value this is: a grant view (withNeeds) shares its part's. */
  readonly identity: symbol;
  readonly build: (uses: any, context: BuildContext) => T | Promise<T>;
  /** Only for typing: the built value. */
  readonly __type?: T;
}

export interface PartSpec<T, Uses extends AnyUses> {
  readonly name: string;
  readonly needs?: Needs | readonly Needs[];
  readonly uses?: Uses;
  readonly build: (uses: Built<Uses>, context: BuildContext) => T | Promise<T>;
}

/** Declares a part. Pure: a bundle that does not use it drops it. */
export function part<T, Uses extends AnyUses = {}>(spec: PartSpec<T, Uses>): Part<T> {
  return { name: spec.name, needs: [spec.needs ?? []].flat(), uses: spec.uses ?? {}, identity: Symbol(spec.name), build: spec.build as Part<T>['build'] };
}

/**
 * The same built value with more needs: for a store, the actions a function performs on it
 * (`userStore.with({ tables: { users: ['GetItem'] } })`), declared where it is used.
 */
export function withNeeds<T>(base: Part<T>, needs: Needs): Part<T> {
  return { ...base, needs: [...base.needs, needs] };
}

/** Every part reachable from these, each once. */
export function closure(parts: Iterable<Part<unknown>>): Part<unknown>[] {
  const seen = new Set<Part<unknown>>();
  const visit = (p: Part<unknown>) => {
    if (seen.has(p)) return;
    seen.add(p);
    for (const used of Object.values(p.uses)) visit(used);
  };
  for (const p of parts) visit(p);
  return [...seen];
}

function summarize(all: readonly Needs[]): NeedsSummary {
  const tables: Partial<Record<Table, Set<TableAction>>> = {};
  const secrets = new Set<SecretNeed>();
  const native = new Set<string>();
  const publishes = new Set<PublishedKeySet>();
  let sendsEmail = false;
  for (const needs of all) {
    for (const [table, actions] of Object.entries(needs.tables ?? {}) as [Table, readonly TableAction[]][]) {
      const set = (tables[table] ??= new Set());
      for (const action of actions) set.add(action);
    }
    for (const secret of needs.secrets ?? []) secrets.add(secret);
    for (const name of needs.native ?? []) native.add(name);
    sendsEmail ||= needs.sendsEmail === true;
    for (const set of needs.publishes ?? []) publishes.add(set);
  }
  const byAction = (a: TableAction, b: TableAction) => TABLE_ACTIONS.indexOf(a) - TABLE_ACTIONS.indexOf(b);
  return {
    tables: Object.fromEntries(TABLES.filter((table) => tables[table]?.size).map((table) => [table, [...tables[table]!].sort(byAction)])),
    secrets: SECRET_NEEDS.filter((secret) => secrets.has(secret)),
    native: [...native].sort(),
    sendsEmail,
    publishes: PUBLISHED_KEY_SETS.filter((set) => publishes.has(set)),
  };
}

/**
 * The union of the needs of these parts and of everything they use, in the deployed environment
 * `env` (a need with `when` counts only where it holds; without `env`, every need counts).
 */
export function needsOf(parts: Iterable<Part<unknown>>, env?: Env): NeedsSummary {
  const holds = (needs: Needs) => env === undefined || Object.entries(needs.when ?? {}).every(([name, value]) => env[name] === value);
  return summarize(closure(parts).flatMap((p) => p.needs.filter(holds)));
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/**
 * A value built on first use and kept; a failed build is forgotten, and calls within the backoff
 * after a failure get that failure at once instead of trying again (a throttled SSM read is not
 * hammered). The backoff starts at 250 ms and doubles up to 5 s while failures go on.
 */
export function lazy<T>(build: () => Promise<T> | T, now: () => number = Date.now): () => Promise<T> {
  let built: Promise<T> | undefined;
  let failure: { error: unknown; retryAt: number; backoff: number } | undefined;
  return () => {
    if (built) return built;
    if (failure && now() < failure.retryAt) return Promise.reject(failure.error);
    const attempt = Promise.resolve().then(build);
    built = attempt;
    attempt.then(
      () => (failure = undefined),
      (error: unknown) => {
        built = undefined;
        const backoff = failure ? Math.min(failure.backoff * 2, MAX_BACKOFF_MS) : FIRST_BACKOFF_MS;
        failure = { error, retryAt: now() + backoff, backoff };
      },
    );
    return attempt;
  };
}

/** A value given instead of building a part (a memory store, a test client, a capturing logger). */
export interface Override<T = unknown> {
  readonly part: Part<T>;
  readonly value: T;
}

/** `provide(userStore, createMemoryUserStore())`. */
export const provide = <T>(p: Part<T>, value: T): Override => ({ part: p as Part<unknown>, value });

export interface ComposeOptions {
  readonly clock?: Clock;
  /** Parts given instead of built: the fixture's frozen clock, memory stores, a counting client. */
  readonly overrides?: readonly Override[];
  /** The time the retry backoff reads (tests). */
  readonly now?: () => number;
}

export type PartsOf<Shape extends AnyUses> = Built<Shape>;

export interface Composition {
  readonly env: Env;
  readonly clock: Clock;
  /** The part, built once for this composition (retried after a backoff when its build failed). */
  get<T>(p: Part<T>): Promise<T>;
  /** Several named parts at once, as one lazily built value. */
  parts<Shape extends AnyUses>(shape: Shape): () => Promise<Built<Shape>>;
}

/**
 * THE composition root: builds parts for one environment. Each function container has one
 * (lib/compose/production.ts); each test and the bench make their own with overrides.
 */
export function compose(env: Env, options: ComposeOptions = {}): Composition {
  const clock = options.clock ?? systemClock;
  const now = options.now ?? (() => clock.now());
  const context: BuildContext = Object.freeze({ env, clock });
  const given = new Map<symbol, unknown>();
  for (const { part: p, value } of options.overrides ?? []) given.set(p.identity, value);
  const builders = new Map<symbol, () => Promise<unknown>>();
  const get = <T>(p: Part<T>): Promise<T> => {
    if (given.has(p.identity)) return Promise.resolve(given.get(p.identity) as T);
    let builder = builders.get(p.identity);
    if (!builder) {
      builder = lazy(async () => p.build(await resolve(p.uses), context), now);
      builders.set(p.identity, builder);
    }
    return builder() as Promise<T>;
  };
  const resolve = async <Shape extends AnyUses>(shape: Shape): Promise<Built<Shape>> => {
    const entries = await Promise.all(Object.entries(shape).map(async ([name, p]) => [name, await get(p)] as const));
    return Object.fromEntries(entries) as Built<Shape>;
  };
  return { env, clock, get, parts: (shape) => lazy(() => resolve(shape), now) };
}
