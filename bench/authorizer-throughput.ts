import { join } from 'node:path';
import type { JwtAlgorithm } from '../lib/core/config';
import { runNode } from './child';
import { authorizerEnv, childEnv, ROOT, serviceEnv } from './env';
import { median } from './stats';
import { parseResult, type RunRate, type ThroughputWorkerInput, type ThroughputWorkerOutput } from './workers/protocol';

export interface ThroughputOptions {
  /** The unzipped authorizer module from the package, and its export. */
  readonly modulePath: string;
  readonly exportName: string;
  readonly algorithms: readonly JwtAlgorithm[];
  /** Tokens per timed run, per algorithm (a fast verifier needs more to last long enough to time). */
  readonly iterations: Readonly<Record<JwtAlgorithm, number>>;
  /** Timed runs of each side, interleaved. */
  readonly runs: number;
  /** What sets this case apart, in the report: '' for the plain authorizer. */
  readonly label?: string;
  /** More environment for the authorizer (AUTHORIZER_ROUTE_PERMISSIONS). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** The tokens' scope; none by default. */
  readonly scope?: string;
}

/**
 * The permission case of the benchmark: 20 routes of another API with their permissions (literal
 * and template paths, ANY, overlapping wildcards), and tokens whose scope holds some of them, so
 * every answer is a per-route policy with Allow and Deny statements. The events call GET /me
 * (bench/tokens.ts METHOD_ARN), which the scope allows.
 */
export const TWENTY_ROUTE_PERMISSIONS: Readonly<Record<string, string>> = {
  'GET /me': 'profile:read',
  'GET /orders': 'orders:read',
  'POST /orders': 'orders:write',
  'GET /orders/{id}': 'orders:read',
  'PUT /orders/{id}': 'orders:write',
  'DELETE /orders/{id}': 'orders:delete',
  'GET /orders/{id}/invoice': 'billing:read',
  'POST /orders/{id}/refund': 'billing:write',
  'GET /admin/users': 'users:read',
  'GET /admin/users/{id}': 'users:read',
  'PUT /admin/users/{id}/roles': 'users:write',
  'POST /admin/users/{id}/disable': 'users:write',
  'DELETE /admin/users/{id}': 'users:write',
  'GET /admin/audit': 'audit:read',
  'ANY /files/{path+}': 'files:write',
  'GET /files/{path+}': 'files:read',
  'GET /reports/{year}/{month}': 'reports:read',
  'POST /reports': 'reports:write',
  'GET /catalog/{sku}': 'catalog:read',
  'PATCH /catalog/{sku}': 'catalog:write',
};
export const PERMISSION_CASE_SCOPE = 'profile:read orders:read users:read files:read catalog:read';
export const PERMISSION_CASE_LABEL = ', 20-route permission map';

export interface ThroughputResult {
  readonly algorithm: JwtAlgorithm;
  /** '' for the plain authorizer, PERMISSION_CASE_LABEL with the permission map. */
  readonly label: string;
  readonly iterations: number;
  /** Per run, operations per second of the process's CPU time: the figures the goal is judged on. */
  readonly authorizerOpsPerSecond: readonly number[];
  readonly floorOpsPerSecond: readonly number[];
  readonly medianAuthorizer: number;
  readonly medianFloor: number;
  /** Median of the per-run ratios (each run's authorizer against the floor run next to it), CPU time. */
  readonly ratio: number;
  /** The same in wall-clock time, which a neighbour's load distorts more. */
  readonly wall: { readonly medianAuthorizer: number; readonly medianFloor: number; readonly ratio: number };
}

export const THROUGHPUT_GOAL = 0.95;

const WORKER = join(__dirname, 'workers', 'authorizer-throughput.ts');

/** Warm throughput of the packaged authorizer against node:crypto's verify, one child process per algorithm. */
export async function measureAuthorizerThroughput(options: ThroughputOptions): Promise<ThroughputResult[]> {
  const results: ThroughputResult[] = [];
  for (const algorithm of options.algorithms) {
    const iterations = options.iterations[algorithm];
    const input: ThroughputWorkerInput = { modulePath: options.modulePath, exportName: options.exportName, iterations, runs: options.runs, scope: options.scope ?? '' };
    const env = await serviceEnv(algorithm, { LOG_LEVEL: 'silent', ...options.extraEnv });
    // The handler sees the deployed authorizer's environment; the worker signs with the private key.
    const workerEnv = childEnv({ ...authorizerEnv(env), BENCH_SIGNING_JWK: env.JWT_PRIVATE_KEY!, BENCH_INPUT: JSON.stringify(input) });
    // tsx only for the worker's own TypeScript (token signing); the handler is the packaged JavaScript.
    const stdout = await runNode(['--import', 'tsx', WORKER], { env: workerEnv, cwd: ROOT });
    const output = parseResult<ThroughputWorkerOutput>(stdout, `authorizer throughput (${algorithm})`);
    const ratioOf = (pick: (rate: RunRate) => number) => median(output.authorizer.map((rate, run) => pick(rate) / pick(output.floor[run]!)));
    const cpu = (rate: RunRate) => rate.cpu;
    const wall = (rate: RunRate) => rate.wall;
    results.push({
      algorithm,
      label: options.label ?? '',
      iterations,
      authorizerOpsPerSecond: output.authorizer.map(cpu),
      floorOpsPerSecond: output.floor.map(cpu),
      medianAuthorizer: median(output.authorizer.map(cpu)),
      medianFloor: median(output.floor.map(cpu)),
      ratio: ratioOf(cpu),
      wall: { medianAuthorizer: median(output.authorizer.map(wall)), medianFloor: median(output.floor.map(wall)), ratio: ratioOf(wall) },
    });
  }
  return results;
}
