import { randomBytes } from 'node:crypto';
import { createApp } from '../lib/app';
import { createAuthorizerDeps, createAuthorizerHandler, type SessionLivenessCheck } from '../lib/authorizer/authorizer';
import type { AuthorizerConfig, Env } from '../lib/core/config';
import type { Clock } from '../lib/core/clock';
import { createLogger } from '../lib/core/logger';
import { createSessionLivenessCheck } from '../lib/authorizer/session-check';
import { createDocumentClient } from '../lib/aws/dynamodb';
import { createDynamoDbSessionStore } from '../lib/aws/dynamodb-session-store';
import { tokenEvent } from './tokens';

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

/**
 * DynamoDB requests per operation on the happy path, counted by SDK middleware
 * (createApp's onDynamoDbRequest, createDocumentClient's onRequest) against DynamoDB Local.
 * `env` is a complete function environment with DYNAMODB_ENDPOINT and the tables.
 */
export async function countDynamoDbRequests(env: Env): Promise<RequestCount[]> {
  const calls: string[] = [];
  const onRequest = (operation: string) => void calls.push(operation);
  const logger = createLogger('silent');
  const app = await createApp(env, { onDynamoDbRequest: onRequest, logger });
  const rows: RequestCount[] = [];
  const count = async <T>(operation: string, action: () => Promise<T>, goal?: (requests: number) => { text: string; met: boolean }): Promise<T> => {
    calls.length = 0;
    try {
      return await action();
    } finally {
      rows.push({ operation, requests: calls.length, calls: [...calls], ...(goal ? { goal: goal(calls.length) } : {}) });
    }
  };

  const email = benchEmail('count');
  await count('register', () => app.accounts.register(email, BENCH_PASSWORD));
  const login = await count('login', () => app.sessions.login(email, BENCH_PASSWORD, CLIENT), (n) => ({ text: '≤ 3', met: n <= 3 }));
  const refreshed = await count('refresh', () => app.sessions.refresh(login.refreshToken, CLIENT), (n) => ({ text: '= 1', met: n === 1 }));
  await count('refresh, retry inside the grace window', () => app.sessions.refresh(login.refreshToken, CLIENT));
  await count('me (GET /me handler)', () => app.accounts.describe(login.userId));
  await count('logout', () => app.sessions.logout(refreshed.refreshToken));
  await expectRejection(count('login, wrong password', () => app.sessions.login(email, 'not the password at all', CLIENT)));
  await count('login after a failed attempt', () => app.sessions.login(email, BENCH_PASSWORD, CLIENT), (n) => ({ text: '≤ 3', met: n <= 3 }));

  // The authorizer, built as its entry points build it; the session check gets a counting client.
  const sessionCheck = (config: AuthorizerConfig, clock: Clock): SessionLivenessCheck =>
    createSessionLivenessCheck(createDynamoDbSessionStore(createDocumentClient({ endpoint: config.dynamoDbEndpoint, onRequest }), config.sessionsTable!), clock);
  const stateless = createAuthorizerHandler(() => createAuthorizerDeps({ ...env, AUTHORIZER_CHECK_SESSION: 'false', LOG_LEVEL: 'silent' }, { sessionCheck }));
  const checking = createAuthorizerHandler(() => createAuthorizerDeps({ ...env, AUTHORIZER_CHECK_SESSION: 'true', LOG_LEVEL: 'silent' }, { sessionCheck }));
  const fresh = await app.sessions.login(email, BENCH_PASSWORD, CLIENT);
  const event = tokenEvent(fresh.accessToken);
  const allowed = async (handler: typeof stateless) => {
    const result = await handler(event);
    if (!('principalId' in result) || result.principalId !== fresh.userId) throw new Error('the authorizer refused a valid token');
  };
  await count('authorizer, stateless', () => allowed(stateless), (n) => ({ text: '= 0', met: n === 0 }));
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
