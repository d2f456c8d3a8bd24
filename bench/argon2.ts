import { hash as nativeHash } from '@node-rs/argon2';
import { argon2id as wasmArgon2id } from 'hash-wasm';
import { randomBytes } from 'node:crypto';
import { createPasswordHasher, OWASP_ARGON2ID } from '../lib/accounts/password';
import { runNode } from './child';
import { childEnv, ROOT } from './env';
import { parseResult, RESULT_PREFIX } from './workers/protocol';
import { median, msSince } from './stats';

/** Our hasher's hash may cost at most this much more than @node-rs/argon2 called directly. */
export const ARGON2_GOAL = 1.3;

export interface Argon2Side {
  /** Median ms per hash of each run. */
  readonly runMedians: readonly number[];
  readonly medianMs: number;
}

/** Resident memory of a fresh process around the native hash, in MB (10^6 bytes). */
export interface Argon2Memory {
  readonly rssAtStartMb: number;
  readonly rssAfterImportMb: number;
  readonly rssAfterFirstHashMb: number;
  /** Peak resident set (getrusage maxrss) after all the process's hashes. */
  readonly maxRssMb: number;
  readonly hashes: number;
}

export interface Argon2Timing {
  readonly runs: number;
  readonly hashesPerRun: number;
  /** createPasswordHasher().hash: NFKC, lazy binding, @node-rs/argon2's hash. */
  readonly ours: Argon2Side;
  /** @node-rs/argon2's hash called directly with the same parameters. */
  readonly native: Argon2Side;
  /** hash-wasm (the WebAssembly build the service used before), one hash per run, for reference. */
  readonly wasm: Argon2Side;
  /** Median of the per-run ratios ours / native. */
  readonly ratio: number;
  readonly wasmRatio: number;
  readonly memory: Argon2Memory;
}

async function timeHashes(count: number, hashOnce: (password: string) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const password = `bench password ${index} ${randomBytes(4).toString('hex')}`;
    const started = process.hrtime.bigint();
    await hashOnce(password);
    times.push(msSince(started));
  }
  return median(times);
}

const MEMORY_SCRIPT = `
const mb = (bytes) => Math.round(bytes / 1e5) / 10;
const rssAtStartMb = mb(process.memoryUsage().rss);
(async () => {
  const { hash } = require('@node-rs/argon2');
  const rssAfterImportMb = mb(process.memoryUsage().rss);
  const options = JSON.parse(process.env.BENCH_OPTIONS);
  await hash('first password', options);
  const rssAfterFirstHashMb = mb(process.memoryUsage().rss);
  const hashes = Number(process.env.BENCH_HASHES);
  for (let index = 1; index < hashes; index++) await hash('password ' + index, options);
  const maxRssMb = mb(process.resourceUsage().maxRSS * 1024);
  console.log('${RESULT_PREFIX}' + JSON.stringify({ rssAtStartMb, rssAfterImportMb, rssAfterFirstHashMb, maxRssMb, hashes }));
})();
`;

const NATIVE_OPTIONS = {
  algorithm: 2,
  version: 1,
  memoryCost: OWASP_ARGON2ID.memoryKiB,
  timeCost: OWASP_ARGON2ID.iterations,
  parallelism: OWASP_ARGON2ID.parallelism,
  outputLen: 32,
} as const;

/**
 * Times the service's hasher against @node-rs/argon2 called directly (and hash-wasm), same
 * parameters, in alternating runs of this process; then measures a fresh process's memory.
 */
export async function measureArgon2({ runs, hashesPerRun }: { runs: number; hashesPerRun: number }): Promise<Argon2Timing> {
  const hasher = createPasswordHasher();
  const direct = (password: string) => nativeHash(password, NATIVE_OPTIONS);
  const wasm = (password: string) =>
    wasmArgon2id({
      password,
      salt: randomBytes(16),
      memorySize: OWASP_ARGON2ID.memoryKiB,
      iterations: OWASP_ARGON2ID.iterations,
      parallelism: OWASP_ARGON2ID.parallelism,
      hashLength: 32,
      outputType: 'encoded',
    });
  // Warm-up: loads the binding, compiles the WebAssembly, touches the allocator.
  await hasher.hash('warm-up');
  await direct('warm-up');
  await wasm('warm-up');

  const ours: number[] = [];
  const native: number[] = [];
  const wasmRuns: number[] = [];
  for (let run = 0; run < runs; run++) {
    // Alternate which side goes first, so neither always runs right after the other's garbage.
    if (run % 2 === 0) {
      ours.push(await timeHashes(hashesPerRun, (password) => hasher.hash(password)));
      native.push(await timeHashes(hashesPerRun, direct));
    } else {
      native.push(await timeHashes(hashesPerRun, direct));
      ours.push(await timeHashes(hashesPerRun, (password) => hasher.hash(password)));
    }
    wasmRuns.push(await timeHashes(1, wasm));
  }
  const side = (runMedians: number[]): Argon2Side => ({ runMedians, medianMs: median(runMedians) });
  const stdout = await runNode(['-e', MEMORY_SCRIPT], {
    cwd: ROOT,
    env: childEnv({ BENCH_OPTIONS: JSON.stringify(NATIVE_OPTIONS), BENCH_HASHES: String(Math.max(2, hashesPerRun)) }),
  });
  return {
    runs,
    hashesPerRun,
    ours: side(ours),
    native: side(native),
    wasm: side(wasmRuns),
    ratio: median(ours.map((value, index) => value / native[index]!)),
    wasmRatio: median(wasmRuns.map((value, index) => value / native[index]!)),
    memory: parseResult<Argon2Memory>(stdout, 'the argon2 memory child'),
  };
}
