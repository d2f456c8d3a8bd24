import type { JwtAlgorithm } from '../../lib/core/config';

/** How the benchmark's child processes hand their measurements back: one prefixed JSON line on stdout. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export function parseResult<T>(stdout: string, what: string): T {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`${what} printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as T;
}

export interface ThroughputWorkerInput {
  readonly modulePath: string;
  readonly exportName: string;
  readonly iterations: number;
  readonly runs: number;
  /** The tokens' scope ('' for none). */
  readonly scope: string;
}

/** One timed run: operations per second of wall-clock time and per second of the process's CPU time. */
export interface RunRate {
  readonly wall: number;
  readonly cpu: number;
}

export interface ThroughputWorkerOutput {
  readonly algorithm: JwtAlgorithm;
  readonly authorizer: RunRate[];
  readonly floor: RunRate[];
}
