/**
 * A mixed run against a running stack: virtual users that each register, log in, call protected
 * routes, refresh, ask for a reset email, fail a login and log out, many at once, until a fixed
 * number of requests has been made. Every answer is expected to be a 2xx or a 4xx the flow
 * provokes on purpose; the run reports every 5xx with its route and time, so a spontaneous 504
 * can be traced to its cause.
 *
 *   npx tsx bench/mixed-load.ts --base http://127.0.0.1:3000/dev [--requests 2000] [--concurrency 8]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { median } from './stats';

export interface MixedLoadOptions {
  /** Requests in all, across every virtual user. */
  readonly requests: number;
  /** Virtual users in flight at once. */
  readonly concurrency: number;
  /** Allowed origin for the cookie-borne steps (CORS_ALLOWED_ORIGINS of the stack); none skips them. */
  readonly origin?: string | undefined;
}

export interface MixedLoadFailure {
  readonly route: string;
  readonly status: number;
  /** Milliseconds from the start of the run to the answer, and how long the request took. */
  readonly atMs: number;
  readonly ms: number;
  readonly body: string;
}

export interface MixedLoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Requests per route and the median and worst time of each. */
  readonly byRoute: readonly { readonly route: string; readonly count: number; readonly medianMs: number; readonly maxMs: number }[];
  /** Answers that were not the status the flow expected (5xx included), and network errors (status 0). */
  readonly unexpected: readonly MixedLoadFailure[];
  readonly status5xx: number;
}

const PASSWORD = 'correct horse battery staple';

interface Step {
  readonly route: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly expect: number;
  /** Read when the step is sent, so it can use what earlier answers gave. */
  readonly body?: () => unknown;
  readonly headers?: () => Record<string, string>;
  /** Reads what the later steps need from the answer. */
  readonly read?: (body: Record<string, unknown>) => void;
}

/** The steps of one virtual user, in order; each reads what it needs from the earlier answers. */
function userFlow(origin: string | undefined): Step[] {
  const email = `mixed-${randomUUID()}@example.com`;
  const state = { access: '', refresh: '' };
  const bearer = () => ({ authorization: `Bearer ${state.access}` });
  const tokens = (body: Record<string, unknown>) => {
    state.access = String(body.access_token);
    if (typeof body.refresh_token === 'string') state.refresh = body.refresh_token;
  };
  const steps: Step[] = [
    { route: 'POST /auth/register', method: 'POST', path: '/auth/register', expect: 201, body: () => ({ email, password: PASSWORD }) },
    { route: 'POST /auth/login', method: 'POST', path: '/auth/login', expect: 200, body: () => ({ email, password: PASSWORD }), read: tokens },
    { route: 'GET /me', method: 'GET', path: '/me', expect: 200, headers: bearer },
    { route: 'POST /auth/refresh', method: 'POST', path: '/auth/refresh', expect: 200, body: () => ({ refresh_token: state.refresh }), read: tokens },
    { route: 'GET /auth/sessions', method: 'GET', path: '/auth/sessions', expect: 200, headers: bearer },
    { route: 'POST /auth/password/forgot', method: 'POST', path: '/auth/password/forgot', expect: 202, body: () => ({ email }) },
    // Register sent a verification email less than a minute ago: the throttle answers 429.
    { route: 'POST /auth/email/verify-request', method: 'POST', path: '/auth/email/verify-request', expect: 429, headers: bearer },
    { route: 'POST /auth/login (wrong password)', method: 'POST', path: '/auth/login', expect: 401, body: () => ({ email, password: 'not the password at all' }) },
    { route: 'GET /.well-known/jwks.json', method: 'GET', path: '/.well-known/jwks.json', expect: 200 },
    { route: 'POST /auth/logout', method: 'POST', path: '/auth/logout', expect: 204, body: () => ({ refresh_token: state.refresh }) },
  ];
  if (origin) {
    steps.splice(8, 0, {
      route: 'POST /auth/login (cookie)',
      method: 'POST',
      path: '/auth/login',
      expect: 200,
      body: () => ({ email, password: PASSWORD, refresh_token_delivery: 'cookie' }),
      headers: () => ({ origin }),
    });
  }
  return steps;
}

/** Runs virtual users, `concurrency` at a time, until `requests` requests have been answered. */
export async function runMixedLoad(baseUrl: string, options: MixedLoadOptions): Promise<MixedLoadResult> {
  const started = performance.now();
  const byStatus: Record<string, number> = {};
  const times = new Map<string, number[]>();
  const unexpected: MixedLoadFailure[] = [];
  let issued = 0;
  const send = async (step: Step): Promise<Record<string, unknown> | undefined> => {
    const sentAt = performance.now();
    let status = 0;
    let text = '';
    const body = step.body?.();
    try {
      const response = await fetch(`${baseUrl}${step.path}`, {
        method: step.method,
        headers: { ...step.headers?.(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      text = (error as Error).message;
    }
    const now = performance.now();
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    times.set(step.route, [...(times.get(step.route) ?? []), now - sentAt]);
    if (status !== step.expect) unexpected.push({ route: step.route, status, atMs: Math.round(now - started), ms: Math.round(now - sentAt), body: text.slice(0, 300) });
    if (status !== step.expect || !text) return undefined;
    return JSON.parse(text) as Record<string, unknown>;
  };
  const virtualUser = async (): Promise<void> => {
    while (issued < options.requests) {
      for (const step of userFlow(options.origin)) {
        if (issued >= options.requests) return;
        issued++;
        const body = await send(step);
        if (step.read) {
          // A failed step leaves the user without what the next steps need: start a new one.
          if (!body) break;
          step.read(body);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, virtualUser));
  const byRoute = [...times.entries()].map(([route, list]) => ({ route, count: list.length, medianMs: median(list), maxMs: Math.max(...list) }));
  return {
    requests: issued,
    seconds: (performance.now() - started) / 1000,
    byStatus,
    byRoute,
    unexpected,
    status5xx: Object.entries(byStatus).reduce((sum, [status, count]) => sum + (Number(status) >= 500 ? count : 0), 0),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: 'http://127.0.0.1:3000/dev' },
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '8' },
      origin: { type: 'string' },
    },
  });
  const result = await runMixedLoad(values.base, { requests: Number(values.requests), concurrency: Number(values.concurrency), origin: values.origin });
  console.log(JSON.stringify({ ...result, byRoute: result.byRoute.map((route) => ({ ...route, medianMs: Math.round(route.medianMs), maxMs: Math.round(route.maxMs) })) }, null, 2));
  if (result.status5xx > 0 || result.unexpected.length > 0) process.exitCode = 1;
}

if (require.main === module) void main();
