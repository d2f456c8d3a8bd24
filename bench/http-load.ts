import autocannon from 'autocannon';
import { median } from './stats';

export interface LoadRun {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly non2xx: number;
  readonly status5xx: number;
  /** Responses per HTTP status. */
  readonly statusCodes: Readonly<Record<string, number>>;
}

export interface LoadScenario {
  readonly label: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** For refresh: each request takes a token from here, and a 200 puts its successor back. */
  readonly refreshTokens?: RefreshTokenPool;
  /** Runs before each run of the scenario, outside the timed part (tops up the refresh pool). */
  readonly prepare?: () => Promise<void>;
}

export interface LoadResult {
  readonly label: string;
  readonly runs: readonly LoadRun[];
  readonly medianRequestsPerSecond: number;
  readonly medianP50Ms: number;
  readonly medianP99Ms: number;
  /** Totals over every run. */
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly status5xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/**
 * Refresh tokens of live sessions. A refresh request takes one (so no token is ever presented
 * twice, which would be reuse) and its 200 response returns the successor, so a handful of
 * sessions sustain any duration: each connection keeps rotating some session's token.
 */
export class RefreshTokenPool {
  private readonly tokens: string[];
  /** Requests that found the pool empty (sent with an invalid token, so they count as non-2xx). */
  exhausted = 0;

  constructor(tokens: readonly string[]) {
    this.tokens = [...tokens];
  }

  get size(): number {
    return this.tokens.length;
  }

  add(token: string): void {
    this.tokens.push(token);
  }

  take(): string {
    const token = this.tokens.shift();
    if (token === undefined) this.exhausted++;
    return token ?? 'pool-exhausted';
  }
}

/** One fixed-duration autocannon run against 127.0.0.1. */
export async function runLoad(baseUrl: string, scenario: LoadScenario, { durationSeconds, connections }: { durationSeconds: number; connections: number }): Promise<LoadRun> {
  await scenario.prepare?.();
  const url = `${baseUrl}${scenario.path}`;
  const pool = scenario.refreshTokens;
  const request: autocannon.Request = {
    method: scenario.method,
    path: new URL(url).pathname,
    headers: { ...scenario.headers, ...(pool ? { 'content-type': 'application/json' } : {}) },
    ...(pool
      ? {
          setupRequest: (request: autocannon.Request) => ({ ...request, body: JSON.stringify({ refresh_token: pool.take() }) }),
          onResponse: (status: number, body: string) => {
            if (status === 200) pool.add((JSON.parse(body) as { refresh_token: string }).refresh_token);
          },
        }
      : {}),
  };
  const result = await autocannon({ url, connections, duration: durationSeconds, requests: [request] });
  return {
    // Completed responses over the measured time (the per-second histogram drops a partial last second).
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    status5xx: result['5xx'],
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count ?? 0])),
  };
}

/** Runs the scenarios in turns (a, b, c, a, b, c, ...) and reports medians and error totals. */
export async function runLoadScenarios(
  baseUrl: string,
  scenarios: readonly LoadScenario[],
  { durationSeconds, connections, runs, warmupSeconds }: { durationSeconds: number; connections: number; runs: number; warmupSeconds: number },
): Promise<LoadResult[]> {
  if (warmupSeconds > 0) {
    for (const scenario of scenarios) await runLoad(baseUrl, scenario, { durationSeconds: warmupSeconds, connections });
  }
  const collected = scenarios.map(() => [] as LoadRun[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, scenario] of scenarios.entries()) collected[index]!.push(await runLoad(baseUrl, scenario, { durationSeconds, connections }));
  }
  return scenarios.map((scenario, index) => {
    const list = collected[index]!;
    const total = (pick: (run: LoadRun) => number) => list.reduce((sum, run) => sum + pick(run), 0);
    return {
      label: scenario.label,
      runs: list,
      medianRequestsPerSecond: median(list.map((run) => run.requestsPerSecond)),
      medianP50Ms: median(list.map((run) => run.p50Ms)),
      medianP99Ms: median(list.map((run) => run.p99Ms)),
      requests: total((run) => run.requests),
      errors: total((run) => run.errors),
      non2xx: total((run) => run.non2xx),
      status5xx: total((run) => run.status5xx),
      statusCodes: list.reduce<Record<string, number>>((sum, run) => {
        for (const [status, count] of Object.entries(run.statusCodes)) sum[status] = (sum[status] ?? 0) + count;
        return sum;
      }, {}),
    };
  });
}
