import { randomBytes } from 'node:crypto';
import { createAuthorizerDeps, createAuthorizerHandler, type SessionLivenessCheck } from '../lib/authorizer/authorizer';
import type { AuthorizerConfig, Env } from '../lib/core/config';
import type { Clock } from '../lib/core/clock';
import { createSessionLivenessCheck } from '../lib/authorizer/session-check';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { createDynamoDbSessionStore } from '../lib/aws/dynamodb-session-store';
import { createBenchService } from './service';
import { tokenEvent } from './tokens';

/** The DynamoDB operations an operation must send: groups in order, the operations of a group in parallel (any order). */
export type ExpectedCalls = readonly (readonly string[])[];

export interface RequestCount {
  readonly operation: string;
  readonly requests: number;
  /** DynamoDB operations in the order they were sent. */
  readonly calls: readonly string[];
  readonly goal?: { readonly text: string; readonly met: boolean };
}

export const BENCH_PASSWORD = 'correct horse battery staple';
const CLIENT = { ip: '127.0.0.1', userAgent: 'bench' };

export const benchEmail = (prefix: string): string => `${prefix}-${randomBytes(6).toString('hex')}@bench.example.com`;

/** What each operation sends on its happy path: the goals of the table. */
export const EXPECTED_CALLS = {
  register: [['TransactWriteItems']],
  login: [['UpdateItem', 'GetItem'], ['DeleteItem'], ['Query'], ['TransactWriteItems']],
  refresh: [['UpdateItem']],
  logout: [['UpdateItem']],
  loginWrongPassword: [['UpdateItem', 'GetItem']],
  statelessAuthorizer: [],
} as const satisfies Record<string, ExpectedCalls>;

/** "UpdateItem ∥ GetItem, then DeleteItem, ...": how a goal reads in the report. */
export const describeExpected = (expected: ExpectedCalls): string =>
  expected.length === 0 ? 'none' : expected.map((group) => group.join(' ∥ ')).join(', then ');

/** Whether `calls` are exactly the expected groups, in order (any order inside a group). */
export function matchesExpected(calls: readonly string[], expected: ExpectedCalls): boolean {
  if (calls.length !== expected.reduce((sum, group) => sum + group.length, 0)) return false;
  let offset = 0;
  for (const group of expected) {
    const sent = calls.slice(offset, offset + group.length);
    if ([...sent].sort().join() !== [...group].sort().join()) return false;
    offset += group.length;
  }
  return true;
}

/**
 * DynamoDB requests per operation on the happy path, counted by SDK middleware
 * (createDocumentClient's onRequest) against DynamoDB Local, over the service's own domain
 * functions. `env` is a complete function environment with DYNAMODB_ENDPOINT and the tables.
 */
export async function countDynamoDbRequests(env: Env): Promise<RequestCount[]> {
  const calls: string[] = [];
  const onRequest = (operation: string) => void calls.push(operation);
  const service = await createBenchService(env, { onRequest });
  const rows: RequestCount[] = [];
  const count = async <T>(operation: string, action: () => Promise<T>, expected?: ExpectedCalls): Promise<T> => {
    calls.length = 0;
    try {
      return await action();
    } finally {
      const goal = expected && { text: describeExpected(expected), met: matchesExpected(calls, expected) };
      rows.push({ operation, requests: calls.length, calls: [...calls], ...(goal ? { goal } : {}) });
    }
  };

  const email = benchEmail('count');
  await count('register', () => service.register(email, BENCH_PASSWORD), EXPECTED_CALLS.register);
  const login = await count('login', () => service.login(email, BENCH_PASSWORD, CLIENT), EXPECTED_CALLS.login);
  const refreshed = await count('refresh', () => service.refresh(login.refreshToken, CLIENT), EXPECTED_CALLS.refresh);
  await count('refresh, retry inside the grace window', () => service.refresh(login.refreshToken, CLIENT));
  await count('me (GET /me)', () => service.describe(login.userId));
  await count('logout', () => service.logout(refreshed.refreshToken), EXPECTED_CALLS.logout);
  await expectRejection(count('login, wrong password', () => service.login(email, 'not the password at all', CLIENT), EXPECTED_CALLS.loginWrongPassword));
  await count('login after a failed attempt', () => service.login(email, BENCH_PASSWORD, CLIENT), EXPECTED_CALLS.login);

  // The authorizer, built as its entry points build it; the session check gets a counting client.
  const sessionCheck = (config: AuthorizerConfig, clock: Clock): SessionLivenessCheck =>
    createSessionLivenessCheck(createDynamoDbSessionStore(createDocumentClient({ endpoint: config.dynamoDbEndpoint, onRequest }), config.sessionsTable!), clock);
  const stateless = createAuthorizerHandler(() => createAuthorizerDeps({ ...env, AUTHORIZER_CHECK_SESSION: 'false', LOG_LEVEL: 'silent' }, { sessionCheck }));
  const checking = createAuthorizerHandler(() => createAuthorizerDeps({ ...env, AUTHORIZER_CHECK_SESSION: 'true', LOG_LEVEL: 'silent' }, { sessionCheck }));
  const fresh = await service.login(email, BENCH_PASSWORD, CLIENT);
  const event = tokenEvent(fresh.accessToken);
  const allowed = async (handler: typeof stateless) => {
    const result = await handler(event);
    if (!('principalId' in result) || result.principalId !== fresh.userId) throw new Error('the authorizer refused a valid token');
  };
  await count('authorizer, stateless', () => allowed(stateless), EXPECTED_CALLS.statelessAuthorizer);
  await count('authorizer, session check (first request of a session)', () => allowed(checking));
  await count('authorizer, session check (same session again, cached)', () => allowed(checking));
  return rows;
}

async function expectRejection(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch {
    return;
  }
  throw new Error('a login with a wrong password succeeded');
}
