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
}

export interface ThroughputResult {
  readonly algorithm: JwtAlgorithm;
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
    const input: ThroughputWorkerInput = { modulePath: options.modulePath, exportName: options.exportName, iterations, runs: options.runs };
    const env = await serviceEnv(algorithm, { LOG_LEVEL: 'silent' });
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
