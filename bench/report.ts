import { ARGON2_GOAL, type Argon2Timing } from './argon2';
import type { ThroughputResult } from './authorizer-throughput';
import { THROUGHPUT_GOAL } from './authorizer-throughput';
import { COLD_START_GOAL, SDK_FUNCTION_BUNDLE_GOAL_BYTES, SDK_REFERENCE_FUNCTIONS, SDK_REFERENCE_GOAL, SDK_REFERENCE_LABEL, type ColdStartReport, type ColdStartResult } from './cold-start';
import type { RequestCount } from './dynamodb-requests';
import { LISTING_LIVE, type CapacityUnits, type SessionScaleReport } from './sessions-at-scale';
import type { MachineDescription } from './env';
import type { HttpBenchResult } from './http-bench';
import { FORGOT_EQUAL_TIMING_GOAL_MS, forgotTimingMet, HUNG_STORE_GOAL_MS, storeHungMet, type HungDependencyReport, type TimedAnswer } from './hung-dependencies';
import type { MixedLoadResult } from './mixed-load';
import { HASH_PART, LOGIN_NON_HASH_GOAL_MS, STORE_WARMUP_ROUNDS, type LoginTiming } from './login-timing';
import type { PackagedFunction } from './package';
import { START_GOALS, type StackMemory, type StackUse, type StartTimes } from './start-stack';
import { formatCount, formatKb, formatMs, formatOps, formatRatio, median } from './stats';

export const AUTHORIZER_BUNDLE_GOAL_BYTES = 25_000;
/** Cold-start labels of the stateless authorizer start with this; the 2× goal applies to them. */
export const STATELESS_AUTHORIZER_LABEL = 'authorizer (';

export interface BenchOptions {
  readonly runs: number;
  readonly iterations: Readonly<Record<string, number>>;
  readonly coldSamples: number;
  readonly loginIterations: number;
  readonly argon2HashesPerRun: number;
  readonly httpDurationSeconds: number;
  readonly httpConnections: number;
  readonly httpRuns: number;
  readonly httpWarmupSeconds: number;
  readonly logoutAllRuns: number;
  readonly mixedRequests: number;
  readonly mixedUsers: number;
  readonly startRuns: number;
  readonly useDurationSeconds: number;
  readonly useUsers: number;
}

/** `npm start`: how soon it is ready, and its memory after a while of use. */
export interface StartReport {
  readonly times: StartTimes;
  readonly use: StackUse;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: MachineDescription;
  readonly loadAverageAtEnd: readonly number[];
  readonly options: BenchOptions;
  readonly commands: readonly string[];
  /** Every function of the default (stateless) package, plus the session-checking authorizer. */
  readonly functions: readonly PackagedFunction[];
  readonly sessionAuthorizer?: PackagedFunction | undefined;
  readonly throughput: readonly ThroughputResult[];
  readonly coldStart: ColdStartReport;
  readonly argon2?: Argon2Timing | undefined;
  readonly requestCounts: readonly RequestCount[];
  readonly sessionsAtScale?: SessionScaleReport | undefined;
  readonly login: LoginTiming;
  readonly http?: HttpBenchResult | undefined;
  readonly start?: StartReport | undefined;
  /** The mixed run of `mixedRequests` requests (bench/mixed-load.ts) against the same stack. */
  readonly mixed?: (MixedLoadResult & { readonly concurrency: number }) | undefined;
  readonly hung?: HungDependencyReport | undefined;
}

/** One row of the summary: what was measured, against what, and the goal it is held to. */
export interface SummaryRow {
  readonly area: string;
  readonly measurement: string;
  readonly result: string;
  readonly reference: string;
  readonly ratio: string;
  readonly goal: string;
  /** true / false for a goal, undefined for a figure without one. */
  readonly met?: boolean | undefined;
}

const COLUMNS: readonly (keyof SummaryRow)[] = ['area', 'measurement', 'result', 'reference', 'ratio', 'goal', 'met'];
const HEADINGS: Record<keyof SummaryRow, string> = { area: 'area', measurement: 'measurement', result: 'result', reference: 'reference (same run)', ratio: 'ratio', goal: 'goal', met: 'met' };

/** The summary rows of the verify throughput: one per algorithm and case. */
export function throughputRows(throughput: readonly ThroughputResult[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const result of throughput) {
    rows.push({
      area: `verify ${result.algorithm}${result.label ?? ''}`,
      measurement: 'packaged authorizer, warm, valid tokens, per CPU second',
      result: formatOps(result.medianAuthorizer),
      reference: `node:crypto verify ${formatOps(result.medianFloor)} (wall clock: ${formatRatio(result.wall.ratio, 3)})`,
      ratio: formatRatio(result.ratio, 3),
      goal: `≥ ${THROUGHPUT_GOAL.toFixed(2)}×`,
      met: result.ratio >= THROUGHPUT_GOAL,
    });
  }
  return rows;
}

export function summaryRows(report: BenchReport): SummaryRow[] {
  const rows: SummaryRow[] = throughputRows(report.throughput);
  const { floor } = report.coldStart;
  const sdkReference = report.coldStart.targets.find((target) => target.label === SDK_REFERENCE_LABEL);
  const heldToSdk = (target: ColdStartResult) => (SDK_REFERENCE_FUNCTIONS as readonly string[]).includes(target.label);
  for (const target of report.coldStart.targets) {
    const isStatelessAuthorizer = target.label.startsWith(STATELESS_AUTHORIZER_LABEL);
    const size = target.bundleBytes ? `, ${formatKb(target.bundleBytes)}` : '';
    const result = `${formatMs(target.medianReadyMs)} (load ${formatMs(target.medianLoadMs)})`;
    if (sdkReference && heldToSdk(target)) {
      const ratio = target.medianReadyMs / sdkReference.medianReadyMs;
      rows.push({
        area: 'cold start',
        measurement: `${target.label}${size}`,
        result,
        reference: `SDK-only bundle ${formatMs(sdkReference.medianReadyMs)} (load: ${formatRatio(target.medianLoadMs / sdkReference.medianLoadMs)}, CPU time: ${formatRatio(target.medianCpuMs / sdkReference.medianCpuMs)})`,
        ratio: formatRatio(ratio),
        goal: `≤ ${SDK_REFERENCE_GOAL}×`,
        met: ratio <= SDK_REFERENCE_GOAL,
      });
      continue;
    }
    rows.push({
      area: 'cold start',
      measurement: `${target.label}${size}`,
      result,
      reference: `import('node:crypto') ${formatMs(floor.medianReadyMs)} (CPU time: ${formatRatio(target.cpuRatio)})`,
      ratio: formatRatio(target.ratio),
      goal: isStatelessAuthorizer ? `≤ ${COLD_START_GOAL}×` : '',
      met: isStatelessAuthorizer ? target.ratio <= COLD_START_GOAL : undefined,
    });
  }
  const authorizer = report.functions.find((fn) => fn.name === 'authorizer');
  if (authorizer) {
    rows.push({
      area: 'bundle',
      measurement: `authorizer (stateless), ${authorizer.handler.replace(/\.[^.]+$/, '.js')} in the zip`,
      result: `${formatCount(authorizer.bundleBytes)} B`,
      reference: '',
      ratio: '',
      goal: `≤ ${formatKb(AUTHORIZER_BUNDLE_GOAL_BYTES)}`,
      met: authorizer.bundleBytes <= AUTHORIZER_BUNDLE_GOAL_BYTES,
    });
  }
  for (const name of SDK_REFERENCE_FUNCTIONS) {
    const fn = report.functions.find((candidate) => candidate.name === name);
    if (!fn) continue;
    rows.push({
      area: 'bundle',
      measurement: `${name}, ${fn.handler.replace(/\.[^.]+$/, '.js')} in the zip`,
      result: `${formatCount(fn.bundleBytes)} B`,
      reference: sdkReference?.bundleBytes ? `SDK-only bundle ${formatCount(sdkReference.bundleBytes)} B` : '',
      ratio: sdkReference?.bundleBytes ? formatRatio(fn.bundleBytes / sdkReference.bundleBytes) : '',
      goal: `≤ ${formatKb(SDK_FUNCTION_BUNDLE_GOAL_BYTES)}`,
      met: fn.bundleBytes <= SDK_FUNCTION_BUNDLE_GOAL_BYTES,
    });
  }
  if (report.argon2) rows.push(...argon2Rows(report.argon2));
  for (const count of report.requestCounts) {
    rows.push({
      area: 'DynamoDB',
      measurement: count.operation,
      result: `${count.requests} request${count.requests === 1 ? '' : 's'}`,
      reference: count.calls.join(', '),
      ratio: '',
      goal: count.goal?.text ?? '',
      met: count.goal?.met,
    });
  }
  if (report.sessionsAtScale) rows.push(...sessionScaleRows(report.sessionsAtScale));
  const login = report.login;
  rows.push({
    area: 'login',
    measurement: 'whole handler / password hash',
    result: `${formatMs(login.medianTotalMs)} / ${formatMs(login.medianHashMs)}`,
    reference: `all but the hash ${formatMs(login.medianNonHashMs)}`,
    ratio: formatRatio(login.medianHashMs / login.medianTotalMs),
    goal: '',
  });
  for (const part of login.parts.filter((candidate) => !candidate.isHash)) {
    rows.push({
      area: 'login',
      measurement: part.name,
      result: formatMs(part.medianMs),
      reference:
        part.name in login.storeAloneMs
          ? `on the wire to DynamoDB Local ${formatMs(part.medianWireMs)}; alone ${formatMs(login.storeAloneMs[part.name]!)}`
          : `GC pauses in it ${formatMs(part.medianGcMs)}`,
      ratio: '',
      goal: `≤ ${LOGIN_NON_HASH_GOAL_MS} ms`,
      met: part.medianMs <= LOGIN_NON_HASH_GOAL_MS,
    });
  }
  const jwks = report.http?.scenarios.find((scenario) => scenario.label.includes('jwks'));
  for (const scenario of report.http?.scenarios ?? []) {
    const clean = scenario.errors === 0 && scenario.non2xx === 0 && scenario.status5xx === 0;
    rows.push({
      area: 'HTTP',
      measurement: scenario.label,
      result: `${formatCount(scenario.medianRequestsPerSecond)} req/s, p50 ${formatMs(scenario.medianP50Ms)}, p99 ${formatMs(scenario.medianP99Ms)}`,
      reference: scenario === jwks || !jwks ? `${formatCount(scenario.requests)} requests` : `jwks ${formatCount(jwks.medianRequestsPerSecond)} req/s`,
      ratio: scenario === jwks || !jwks ? '' : formatRatio(scenario.medianRequestsPerSecond / jwks.medianRequestsPerSecond),
      goal: '0 errors, 0 non-2xx',
      met: clean,
    });
  }
  if (report.mixed) {
    const mixed = report.mixed;
    rows.push({
      area: 'HTTP',
      measurement: `mixed run: ${formatCount(mixed.requests)} requests (register, login, /me, refresh, sessions, forgot, verify-request, wrong password, cookie login, jwks, logout), ${mixed.concurrency} users at once`,
      result: `${mixed.status5xx} 5xx, ${mixed.unexpected.length} unexpected in ${mixed.seconds.toFixed(0)} s`,
      reference: Object.entries(mixed.byStatus).map(([status, count]) => `${status}: ${formatCount(count)}`).join(', '),
      ratio: '',
      goal: '0 5xx, 0 unexpected',
      met: mixed.status5xx === 0 && mixed.unexpected.length === 0,
    });
  }
  if (report.hung) {
    const hung = report.hung;
    for (const [route, answers] of Object.entries(hung.storeHung)) {
      rows.push({
        area: 'hung store',
        measurement: `${route}, DynamoDB Local paused (SIGSTOP)`,
        result: `${statuses(answers)} in ${formatMs(median(answers.map((answer) => answer.ms)))} (max ${formatMs(Math.max(...answers.map((answer) => answer.ms)))})`,
        reference: `Retry-After: ${[...new Set(answers.map((answer) => answer.retryAfter ?? 'none'))].join(', ')}`,
        ratio: '',
        goal: `503 + Retry-After ≤ ${HUNG_STORE_GOAL_MS / 1000} s`,
        met: storeHungMet(answers),
      });
    }
    const [known, unknown] = [median(hung.forgotKnown.map((answer) => answer.ms)), median(hung.forgotUnknown.map((answer) => answer.ms))];
    rows.push({
      area: 'hung SES',
      measurement: `POST /auth/password/forgot, SES emulator paused: known emails (the send is given up) vs unknown, ${hung.forgotKnown.length} each`,
      result: `known ${formatMs(known)} (max ${formatMs(Math.max(...hung.forgotKnown.map((answer) => answer.ms)))}), ${statuses(hung.forgotKnown)}`,
      reference: `unknown ${formatMs(unknown)} (max ${formatMs(Math.max(...hung.forgotUnknown.map((answer) => answer.ms)))}), floor ${hung.floorMs} ms`,
      ratio: formatRatio(known / unknown, 3),
      goal: `both ≥ floor, |Δ median| ≤ ${FORGOT_EQUAL_TIMING_GOAL_MS} ms`,
      met: forgotTimingMet(hung),
    });
    rows.push({
      area: 'hung SES',
      measurement: 'POST /auth/register, SES emulator paused (the email goes to the outbox)',
      result: `${statuses(hung.registerWithSesHung)} in ${formatMs(median(hung.registerWithSesHung.map((answer) => answer.ms)))} (max ${formatMs(Math.max(...hung.registerWithSesHung.map((answer) => answer.ms)))})`,
      reference: '',
      ratio: '',
      goal: '201',
      met: hung.registerWithSesHung.every((answer) => answer.status === 201),
    });
  }
  if (report.start) rows.push(...startRows(report.start));
  return rows;
}

const seconds = (value: number) => `${value.toFixed(1)} s`;
const mib = (value: number) => `${Math.round(value)} MiB`;
const formatDuration = (value: number) => (value >= 120 ? `${(value / 60).toFixed(0)} min` : `${Math.round(value)} s`);

/** The npm start rows of the summary (also all that `--only-start` prints). */
export function startRows({ times, use }: StartReport): SummaryRow[] {
  const startRow = (kind: 'fresh' | 'second', median: number, cpu: number, goal: number): SummaryRow => ({
    area: 'npm start',
    measurement: kind === 'fresh' ? 'ready, fresh clone (no bundles, launcher, schema cache or data)' : 'ready, second start',
    result: `${seconds(median)} (CPU ${seconds(cpu)})`,
    reference: `runs ${times.runs
      .filter((run) => run.kind === kind)
      .map((run) => `${run.seconds.toFixed(1)} s at load ${run.loadAverage.toFixed(1)}`)
      .join(', ')}`,
    ratio: '',
    goal: `≤ ${goal} s`,
    met: median <= goal,
  });
  return [
    startRow('fresh', times.medianFreshSeconds, times.medianFreshCpuSeconds, START_GOALS.freshSeconds),
    startRow('second', times.medianSecondSeconds, times.medianSecondCpuSeconds, START_GOALS.secondSeconds),
    {
      area: 'npm start',
      measurement: `whole stack's memory over ${formatDuration(use.durationSeconds)} of mixed use (${use.users} visitors, ${formatCount(use.requests)} requests)`,
      result: `peak ${mib(use.peak.rssMiB)} RSS (PSS ${mib(use.peak.pssMiB)}), at the end ${mib(use.atEnd.rssMiB)}`,
      reference: `when ready ${mib(use.atReady.rssMiB)} RSS`,
      ratio: '',
      goal: `≤ ${formatCount(START_GOALS.stackMiB)} MiB`,
      met: use.peak.rssMiB <= START_GOALS.stackMiB,
    },
  ];
}

const statuses = (answers: readonly TimedAnswer[]) => [...new Set(answers.map((answer) => String(answer.status)))].join('/');

export const formatUnits = (units: CapacityUnits): string => `${formatUnitCount(units.total)} (table ${formatUnitCount(units.table)}, index ${formatUnitCount(units.indexes)})`;
const formatUnitCount = (value: number) => (Number.isInteger(value) ? formatCount(value) : value.toFixed(1));
const formatRequests = (requests: Readonly<Record<string, number>>) =>
  Object.entries(requests)
    .map(([operation, count]) => `${formatCount(count)} ${operation}`)
    .join(' + ');

function sessionScaleRows(scale: SessionScaleReport): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const smallest = scale.logoutAll[0];
  for (const figure of scale.logoutAll) {
    rows.push({
      area: 'sessions',
      measurement: `logout-all, ${formatCount(figure.sessions)} sessions of one account`,
      result: `${formatMs(figure.medianMs)} (${formatMs(figure.medianMs / figure.sessions)} per session)`,
      reference: `${formatRequests(figure.requests)}; WCU ${formatUnits(figure.writeUnits)}`,
      ratio: smallest && figure !== smallest ? `${formatRatio(figure.medianMs / smallest.medianMs)} the ${formatCount(smallest.sessions)}` : '',
      goal: '',
    });
  }
  const [crowded, reference] = scale.listings;
  for (const listing of scale.listings) {
    const isCrowded = listing === crowded && reference !== undefined;
    rows.push({
      area: 'sessions',
      measurement: `list sessions, ${listing.label}`,
      result: `${formatCount(listing.itemsRead)} items read (Query Count ${listing.queryCount} / ScannedCount ${listing.queryScannedCount}, BatchGetItem ${listing.batchItems})`,
      reference: `${listing.calls.join(', ')}; RCU ${formatUnits(listing.readUnits)}; ${formatMs(listing.medianMs)}`,
      ratio: isCrowded ? formatRatio(listing.itemsRead / reference.itemsRead) : '',
      goal: isCrowded ? `= the ${LISTING_LIVE} live only` : '',
      met: isCrowded ? listing.itemsRead === reference.itemsRead : undefined,
    });
  }
  for (const figure of scale.writeUnits) {
    rows.push({
      area: 'capacity',
      measurement: `${figure.operation}, write units`,
      result: `${formatUnits(figure.units)} WCU`,
      reference: `${figure.calls.join(', ')}; reads ${formatUnits(figure.readUnits)} RCU`,
      ratio: '',
      goal: figure.goal?.text ?? '',
      met: figure.goal?.met,
    });
  }
  return rows;
}

function argon2Rows(argon2: Argon2Timing): SummaryRow[] {
  const direct = `@node-rs/argon2 direct ${formatMs(argon2.native.medianMs)}`;
  return [
    {
      area: 'argon2id',
      measurement: 'our hasher, hash (m = 19 MiB, t = 2, p = 1)',
      result: formatMs(argon2.ours.medianMs),
      reference: direct,
      ratio: formatRatio(argon2.ratio),
      goal: `≤ ${ARGON2_GOAL}×`,
      met: argon2.ratio <= ARGON2_GOAL,
    },
    { area: 'argon2id', measurement: 'hash-wasm (before), same parameters', result: formatMs(argon2.wasm.medianMs), reference: direct, ratio: formatRatio(argon2.wasmRatio), goal: '' },
    {
      area: 'argon2id',
      measurement: 'peak RSS of a fresh process hashing',
      result: `${argon2.memory.maxRssMb} MB`,
      reference: `after import ${argon2.memory.rssAfterImportMb} MB`,
      ratio: '',
      goal: '',
    },
  ];
}

const metText = (met: boolean | undefined) => (met === undefined ? '' : met ? 'yes' : 'NO');

/** The one table `npm run bench` prints. */
export function renderTable(rows: readonly SummaryRow[]): string {
  const cells = [COLUMNS.map((column) => HEADINGS[column]), ...rows.map((row) => COLUMNS.map((column) => (column === 'met' ? metText(row.met) : row[column] ?? '')))];
  const widths = COLUMNS.map((_, index) => Math.max(...cells.map((line) => line[index]!.length)));
  const line = (values: readonly string[]) => values.map((value, index) => value.padEnd(widths[index]!)).join(' | ');
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('-|-'), ...cells.slice(1).map(line)].join('\n');
}

const escape = (value: string) => value.replace(/\|/g, '\\|');
const markdownTable = (headings: readonly string[], rows: readonly (readonly string[])[]) =>
  [`| ${headings.join(' | ')} |`, `|${headings.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n');

/** docs/benchmarks.md. */
export function renderMarkdown(report: BenchReport): string {
  const rows = summaryRows(report);
  const goals = rows.filter((row) => row.met !== undefined);
  const missed = goals.filter((row) => row.met === false);
  const { machine, options } = report;
  const sections: string[] = [];
  sections.push(`# Benchmarks

Written by \`npm run bench\` (bench/run.ts) on ${report.startedAt.slice(0, 10)}; do not edit by hand, run it again.
Every figure is measured in one run, next to its reference, on a shared machine: read the ratios,
not the absolute numbers. Medians of several runs; CI does not run this (test/integration/bench.test.ts
keeps the scripts working on tiny counts).

**Goals: ${goals.length - missed.length} of ${goals.length} met.**${missed.length ? ` Missed: ${missed.map((row) => `${row.area} — ${row.measurement} (${row.ratio || row.result}, goal ${row.goal})`).join('; ')}.` : ''}`);

  sections.push(`## Summary

${markdownTable(
  COLUMNS.map((column) => HEADINGS[column]),
  rows.map((row) => COLUMNS.map((column) => (column === 'met' ? metText(row.met) : row[column] ?? ''))),
)}`);

  sections.push(`## Machine

| | |
|---|---|
| CPU | ${machine.cpu}, ${machine.cores} cores (shared) |
| memory | ${machine.memoryGiB} GiB |
| OS | ${machine.os} |
| Node.js | ${machine.node} |
| load average (1, 5, 15 min) | at start ${machine.loadAverage.join(', ')}; at end ${report.loadAverageAtEnd.join(', ')} |
| duration of the run | ${Math.round(report.seconds)} s |`);

  sections.push(`## Commands

\`\`\`sh
npm run bench            # all of the below; options: npx tsx bench/run.ts --help
\`\`\`

What it ran, in order. \`<dir>\` is a temporary directory: the packaging runs in a snapshot of the
repository (node_modules linked), so it never touches \`.serverless/\` or a running \`npm start\`.
It packages as for AWS: \`<verificationKeys>\` is the public JWK set of a fresh ES256 key, since the
authorizer is deployed with public keys only.

Each bundle is the same whatever \`JWT_ALG\` says at packaging time (the key is read from the
environment at cold start), so one package serves every algorithm; each child process gets its own
environment: for the stateless authorizer \`JWT_ALG\` and the public keys in \`JWT_VERIFICATION_KEYS\`
(for HS256, the secret in \`JWT_PRIVATE_KEY\`, as \`npm start\` runs it; on AWS an HS256 authorizer
is \`handlers/authorizer-session-check\`, which reads it from SSM), for the other functions their secrets
directly in \`JWT_PRIVATE_KEY\` and \`REFRESH_TOKEN_HASH_KEY\` (on AWS they read them from SSM at
cold start, which is not measured here).

\`\`\`sh
${report.commands.join('\n')}
\`\`\`

Options of this run: ${options.runs} interleaved runs per verify figure (tokens per run: ${Object.entries(options.iterations)
    .map(([algorithm, count]) => `${algorithm} ${formatCount(count)}`)
    .join(', ')}), ${options.coldSamples} cold starts per bundle, ${options.loginIterations} logins, HTTP ${options.httpRuns} × ${options.httpDurationSeconds} s per scenario with ${options.httpConnections} connections (after ${options.httpWarmupSeconds} s of warm-up).`);

  sections.push(`## Authorizer verify throughput

The packaged authorizer (\`handlers/authorizer.js\` from the package's \`authorizer.zip\`), loaded in a
child process whose environment holds the public key, as Lambda loads it, and called warm in a loop with
REST \`TOKEN\` events (\`Bearer <jwt>\`), one valid, never-seen token per call, signed by the service's
own issuer (\`lib/tokens/access-token-issuer.ts\`). The floor, in the same process on the same tokens: split the
token, decode the signature, one \`crypto.verify\` (ES256 with \`dsaEncoding: 'ieee-p1363'\`) or
\`createHmac\` + \`timingSafeEqual\` (HS256) with a KeyObject imported beforehand. Runs alternate
(authorizer then floor, floor then authorizer, ...); the ratio is the median of the per-run ratios.
Rates are per second of the process's CPU time (\`process.cpuUsage\`, every thread, GC included):
on a shared machine the process is often descheduled, which wall-clock time would charge to
whichever side happened to be running. The wall-clock figures are given too.

${markdownTable(
  ['algorithm', 'tokens per run', 'authorizer (median, per CPU s)', 'floor (median, per CPU s)', 'ratio', 'wall clock: authorizer / floor / ratio', 'authorizer runs, ops per CPU s', 'floor runs, ops per CPU s'],
  report.throughput.map((result) => [
    `${result.algorithm}${result.label ?? ''}`,
    formatCount(result.iterations),
    formatOps(result.medianAuthorizer),
    formatOps(result.medianFloor),
    formatRatio(result.ratio, 3),
    `${formatOps(result.wall.medianAuthorizer)} / ${formatOps(result.wall.medianFloor)} / ${formatRatio(result.wall.ratio, 3)}`,
    result.authorizerOpsPerSecond.map(formatCount).join(', '),
    result.floorOpsPerSecond.map(formatCount).join(', '),
  ]),
)}`);

  const sdkReference = report.coldStart.targets.find((target) => target.label === SDK_REFERENCE_LABEL);
  const vsSdk = (target: ColdStartResult) =>
    sdkReference && target !== sdkReference ? `${formatRatio(target.medianReadyMs / sdkReference.medianReadyMs)} / ${formatRatio(target.medianLoadMs / sdkReference.medianLoadMs)}` : '';
  const coldRows = report.coldStart.targets.map((target) => {
    return [
      target.label,
      target.bundleBytes ? formatCount(target.bundleBytes) : '',
      target.zipBytes ? formatCount(target.zipBytes) : '',
      formatMs(target.medianReadyMs),
      formatMs(target.medianLoadMs),
      formatRatio(target.ratio),
      `${formatMs(target.medianCpuMs)}, ${formatRatio(target.cpuRatio)}`,
      vsSdk(target),
      target.outcome,
    ];
  });
  sections.push(`## Cold start and bundle sizes

Each sample is a fresh \`node\` process (no loader, minimal environment) that \`require\`s the unzipped
bundle and awaits its first invocation, which awaits the function's init: configuration and key
import. HTTP functions get an event without a body or authorizer context, so they answer (400, or
500 for a protected route called without an authorizer) without a DynamoDB request; the stateless
authorizer gets a valid token; the session-checking one a malformed token (refused before any
DynamoDB read). *ready* is \`performance.now()\` at that point: time since the process started,
Node's own start-up included. *load* is the part after the script started. The floor is the same
script doing only \`await import('node:crypto')\`: ready ${formatMs(report.coldStart.floor.medianReadyMs)}, load ${formatMs(report.coldStart.floor.medianLoadMs)}, CPU time ${formatMs(report.coldStart.floor.medianCpuMs)}.
*CPU time* is the process's (all threads) until ready, less distorted by neighbours than *ready*,
on which the goal is judged.
*${SDK_REFERENCE_LABEL}* is an esbuild bundle built with serverless.yml's options
(\`custom.esbuild\`: \`mainFields: ['module', 'main']\`, minified, node24, cjs) of a handler that
builds a \`DynamoDBClient\` at cold start and one \`GetItemCommand\` per call, sending nothing: the least a
DynamoDB function loads. ${SDK_REFERENCE_FUNCTIONS.join(', ')} are held to it (≤ ${SDK_REFERENCE_GOAL}× its ready time, bundles ≤ ${formatKb(SDK_FUNCTION_BUNDLE_GOAL_BYTES)});
the stateless authorizer to the floor (≤ ${COLD_START_GOAL}×).
Samples go round-robin over all bundles, each round starting one bundle further on; medians of ${options.coldSamples}.

${markdownTable(['bundle', 'handler .js bytes', 'zip bytes', 'ready (median)', 'load (median)', 'ready vs floor', 'CPU time, vs floor', 'vs SDK-only: ready / load', 'first response'], coldRows)}`);

  if (report.argon2) {
    const { ours, native, wasm, memory } = report.argon2;
    const perRun = (side: Argon2Timing['ours']) => side.runMedians.map((ms) => ms.toFixed(1)).join(', ');
    sections.push(`## Password hash (argon2id)

\`createPasswordHasher().hash\` (lib/accounts/password.ts: NFKC, the binding loaded on first use, then
@node-rs/argon2's \`hash\`) against @node-rs/argon2's \`hash\` called directly with the same parameters
(argon2id, m = 19 MiB, t = 2, p = 1, 32-byte output), in this process after a warm-up hash each.
${report.argon2.runs} runs of ${report.argon2.hashesPerRun} hashes each, the two sides alternating which goes first; the
figure per run is the median ms per hash; the ratio is the median of the per-run ratios. hash-wasm
(the WebAssembly build used before) hashes once per run, for reference. Memory: a fresh \`node\`
process that imports @node-rs/argon2 and hashes ${memory.hashes} times; *peak* is getrusage's maxrss, since the
19 MiB of each hash is freed as soon as it returns.

${markdownTable(
  ['hasher', 'median ms per hash', 'vs @node-rs/argon2', 'per run (ms)'],
  [
    ['ours (lib/accounts/password.ts)', formatMs(ours.medianMs), formatRatio(report.argon2.ratio), perRun(ours)],
    ['@node-rs/argon2, direct', formatMs(native.medianMs), '1.00×', perRun(native)],
    ['hash-wasm', formatMs(wasm.medianMs), formatRatio(report.argon2.wasmRatio), perRun(wasm)],
  ],
)}

${markdownTable(
  ['RSS at start', 'after importing @node-rs/argon2', 'after the first hash', 'peak'],
  [[`${memory.rssAtStartMb} MB`, `${memory.rssAfterImportMb} MB`, `${memory.rssAfterFirstHashMb} MB`, `${memory.maxRssMb} MB`]],
)}`);
  }

  sections.push(`## DynamoDB requests per operation

Counted by SDK middleware (\`createDocumentClient({ onRequest })\`) against DynamoDB Local, on the
service's own domain functions (\`lib/accounts/login.ts\` \`passwordLogin\`, \`lib/sessions/session-service.ts\`,
\`lib/accounts/account-service.ts\`), wired as \`lib/compose/\` wires them (bench/service.ts); the
authorizer is built as its entry points build it (\`createAuthorizerDeps\`), the session check with
\`createSessionLivenessCheck\` over a counting client. The stateless authorizer is given that counting
check too, and must not use it. A goal lists the operations an operation must send, in order;
"∥" joins requests sent in parallel (either may leave first).

${markdownTable(
  ['operation', 'requests', 'operations sent', 'goal', 'met'],
  report.requestCounts.map((count) => [count.operation, String(count.requests), count.calls.join(', ') || '—', count.goal?.text ?? '', metText(count.goal?.met)]),
)}`);

  if (report.sessionsAtScale) {
    const scale = report.sessionsAtScale;
    sections.push(`## Sessions at scale

Against DynamoDB Local, over the same domain functions, every request counted and sent with
\`ReturnConsumedCapacity: INDEXES\` (\`createDocumentClient({ onConsumedCapacity })\`), so table and
index units come apart. Sessions are created straight through the session store
(\`SessionStore.create\`, a browser's user agent on each), not by logging in. DynamoDB Local's
latency is not AWS's; the counts and units are what AWS would bill for the same requests.

**Logout-all** (\`endAllSessions\` of lib/sessions/session-service.ts): one account with N live
sessions, timed from the call to its return; medians of ${options.logoutAllRuns} run${options.logoutAllRuns === 1 ? '' : 's'}, each on a fresh account.

${markdownTable(
  ['sessions', 'median', 'per session', 'runs (ms)', 'requests', 'write units'],
  scale.logoutAll.map((figure) => [
    formatCount(figure.sessions),
    formatMs(figure.medianMs),
    formatMs(figure.medianMs / figure.sessions),
    figure.runsMs.map((ms) => ms.toFixed(0)).join(', '),
    formatRequests(figure.requests),
    formatUnits(figure.writeUnits),
  ]),
)}

**Listing** (\`listSessions\`, the first page): an account with ${formatCount(scale.listings[0]?.revoked ?? 0)} sessions ended by a logout-all, then
${LISTING_LIVE} live ones, against an account with only the ${LISTING_LIVE} live ones. *Items read* is the index entries the
Query read (its ScannedCount) plus the items the BatchGetItem returned; revoked sessions have left
the sparse by-user index, so they should cost nothing.

${markdownTable(
  ['account', 'requests', 'Query Count / ScannedCount', 'BatchGetItem items', 'items read', 'read units', 'listed', 'median time'],
  scale.listings.map((listing) => [
    listing.label,
    listing.calls.join(', '),
    `${listing.queryCount} / ${listing.queryScannedCount}`,
    String(listing.batchItems),
    String(listing.itemsRead),
    formatUnits(listing.readUnits),
    String(listing.sessionsListed),
    formatMs(listing.medianMs),
  ]),
)}

**Capacity per operation**: write units of the writes each operation sends (read units of its
reads beside them). A refresh must write its session item and nothing else: the by-user index
projects only what never changes after login, so a rotation leaves it alone.

${markdownTable(
  ['operation', 'requests', 'write units', 'read units', 'goal', 'met'],
  scale.writeUnits.map((figure) => [figure.operation, figure.calls.join(', '), formatUnits(figure.units), formatUnits(figure.readUnits), figure.goal?.text ?? '', metText(figure.goal?.met)]),
)}`);
  }

  const login = report.login;
  sections.push(`## Login

What \`handlers/login.ts\` runs through \`httpHandler\` (request parsing, validation, \`passwordLogin\`, the
token response, the error mapper), over the domain functions wired as \`lib/compose/\` wires them, with
the password hasher (argon2id, m = 19 MiB, t = 2) and the DynamoDB stores wrapped with timers. The login
sends the attempt count (UpdateItem) and the account read (GetItem) in parallel, hashes, then resets the
count (DeleteItem), checks the session cap (Query) and writes the session (PutItem). Each part's time is
its own, so two parallel parts overlap; *rest* is the time no timed part was running: body parsing,
validation, refresh-token minting, access-token signing, the response. ${options.loginIterations} logins after
2 warm-up ones (and ${STORE_WARMUP_ROUNDS} untimed rounds of the login's DynamoDB requests, to get DynamoDB Local
past its JVM warm-up), medians. The DynamoDB calls go to DynamoDB Local on this machine, whose
latency is not AWS's. Goal: nothing but the hash above ${LOGIN_NON_HASH_GOAL_MS} ms.

*GC pauses* are the garbage-collection pauses (\`PerformanceObserver\`, entry type \`gc\`) that
started inside a part, included in its time: each argon2id hash allocates 19 MiB, which V8 collects
later, in whatever part is running then. *On the wire* is the time between the SDK sending a
request of that part (its \`finalizeRequest\` step) and the response coming back: DynamoDB Local's
latency, not the service's work. *Alone* is the same DynamoDB call timed back to back in the second
half of the warm-up rounds.

${markdownTable(
  ['part', 'median', 'on the wire to DynamoDB Local (median)', 'GC pauses in it (median)', 'the same call alone, back to back', 'share of the handler', `≤ ${LOGIN_NON_HASH_GOAL_MS} ms`],
  [
    ['whole handler', formatMs(login.medianTotalMs), '', '', '', '100 %', ''],
    ...login.parts.map((part) => [
      part.isHash ? `${part.name} (the password hash)` : part.name,
      formatMs(part.medianMs),
      part.name in login.storeAloneMs ? formatMs(part.medianWireMs) : '',
      formatMs(part.medianGcMs),
      part.name in login.storeAloneMs ? formatMs(login.storeAloneMs[part.name]!) : '',
      `${((part.medianMs / login.medianTotalMs) * 100).toFixed(1)} %`,
      part.isHash ? '(exempt)' : metText(part.medianMs <= LOGIN_NON_HASH_GOAL_MS),
    ]),
    ['everything but the hash', formatMs(login.medianNonHashMs), '', '', '', `${((login.medianNonHashMs / login.medianTotalMs) * 100).toFixed(1)} %`, ''],
  ],
)}

Per login (ms, whole / hash): ${login.samples.map((sample) => `${sample.totalMs.toFixed(1)} / ${(sample.parts[HASH_PART] ?? 0).toFixed(1)}`).join('; ')}.`);

  if (report.http) {
    const http = report.http;
    sections.push(`## HTTP under load

autocannon against the stack \`npm start\` runs (serverless-offline, stage dev, over DynamoDB Local),
started by the benchmark on free ports of 127.0.0.1 with its own keys (ES256). ${options.httpConnections} connections,
${options.httpDurationSeconds} s per run, scenarios in turns, ${options.httpRuns} runs each; medians of the runs, error counts summed.
serverless-offline runs the authorizer on every request (API Gateway would cache its answer), and
runs every function in its own process from the project's sources, bundled per function with the
packages loaded once (infra/plugins/offline-functions.js): concurrent calls share one event loop, as
they never do on Lambda, so these figures are the local stack's, not a function's. The benchmark
calls each route once per connection before the warm-up, so no run pays for loading a function.
Each refresh presents a token no other request has presented (a pool of sessions; each 200 puts its
successor back), so every request is a real rotation: ${http.loginsForRefreshPool} logins filled the pool, it ran dry ${http.refreshPoolExhausted} times.

${markdownTable(
  ['scenario', 'req/s (median)', 'p50', 'p99', 'requests', 'errors + timeouts', 'non-2xx', '5xx', 'responses by status', 'req/s per run'],
  http.scenarios.map((scenario) => [
    scenario.label,
    formatCount(scenario.medianRequestsPerSecond),
    formatMs(scenario.medianP50Ms),
    formatMs(scenario.medianP99Ms),
    formatCount(scenario.requests),
    String(scenario.errors),
    String(scenario.non2xx),
    String(scenario.status5xx),
    Object.entries(scenario.statusCodes)
      .map(([status, count]) => `${status}: ${formatCount(count)}`)
      .join(', '),
    scenario.runs.map((run) => formatCount(run.requestsPerSecond)).join(', '),
  ]),
)}`);
  }
  if (report.start) sections.push(startSection(report.start));
  if (report.mixed) {
    const mixed = report.mixed;
    sections.push(`## Mixed run (no 5xx)

\`bench/mixed-load.ts\` against the same stack: ${mixed.concurrency} virtual users at once, each registering,
logging in (body and cookie delivery), calling \`/me\` and \`/auth/sessions\`, refreshing, asking for a
reset email, asking for a verification email too soon (429), failing a login (401), reading the JWKS and
logging out, until ${formatCount(mixed.requests)} requests were answered (${mixed.seconds.toFixed(0)} s). Every answer must be the
status its step expects; any 5xx or other surprise is listed. Against a running \`npm start\`:
\`npx tsx bench/mixed-load.ts --base http://127.0.0.1:3000/dev --origin http://localhost:3000\` (exits 1 on any 5xx).

Answers by status: ${Object.entries(mixed.byStatus).map(([status, count]) => `${status}: ${formatCount(count)}`).join(', ')}; unexpected: ${mixed.unexpected.length === 0 ? 'none' : mixed.unexpected.map((failure) => `${failure.route} ${failure.status} after ${failure.ms} ms`).join('; ')}.

${markdownTable(
  ['route', 'requests', 'median', 'max'],
  mixed.byRoute.map((route) => [route.route, formatCount(route.count), formatMs(route.medianMs), formatMs(route.maxMs)]),
)}`);
  }
  if (report.hung) {
    const hung = report.hung;
    const list = (answers: readonly TimedAnswer[]) => answers.map((answer) => `${answer.status} ${formatMs(answer.ms)}`).join(', ');
    sections.push(`## A store or a mail service that does not answer

The benchmark's DynamoDB Local, then its SES emulator, paused with \`kill -STOP\` (it keeps accepting
connections and never answers) while requests are made, then resumed with \`kill -CONT\`
(\`bench/hung-dependencies.ts\`). With the store paused, four requests at once per round, ${hung.storeHung['POST /auth/login']?.length ?? 0} rounds;
with SES paused, forgot-password alternately for an account that exists (one account per request, so
each one reaches the send) and for an unknown email, then registrations.

${markdownTable(
  ['request', 'dependency paused', 'answers (status, time)'],
  [
    ...Object.entries(hung.storeHung).map(([route, answers]) => [route, 'DynamoDB', list(answers)]),
    ['POST /auth/password/forgot, known email', 'SES', list(hung.forgotKnown)],
    ['POST /auth/password/forgot, unknown email', 'SES', list(hung.forgotUnknown)],
    ['POST /auth/register', 'SES', list(hung.registerWithSesHung)],
  ],
)}`);
  }
  return `${sections.join('\n\n')}\n`;
}

function startSection({ times, use }: StartReport): string {
  const parts = [...new Set([use.atReady, use.peak, use.atEnd].flatMap((sample) => Object.keys(sample.parts)))].sort();
  const memoryRow = (label: string, sample: StackMemory) => [label, `${Math.round(sample.atSeconds)} s`, mib(sample.rssMiB), mib(sample.pssMiB), ...parts.map((part) => (sample.parts[part] === undefined ? '' : mib(sample.parts[part]!)))];
  const cpuParts = [...new Set(times.runs.flatMap((run) => Object.keys(run.cpuByPart)))].sort();
  return `## npm start

\`npm start\` as a newcomer runs it (\`npm\` from PATH, free ports, DynamoDB Local on disk in a new
folder), timed from spawning it to its "Auth service ready" line. A *fresh* start has none of what
an earlier start leaves: no offline bundles (a new ESBUILD_WORK_FOLDER), no compiled DynamoDB Local
launcher and no Node compile cache (a new JWT_AUTH_LOCAL_CACHE), no configuration
validator of serverless (SLS_SCHEMA_CACHE_BASE_DIR empty: the first run of serverless on a machine
compiles it, about 5 s of CPU time) and no data; each is followed by a *second* start with all of
them. *CPU* is the whole tree's user and system time at that moment, which neighbours on a shared
machine distort less than the wall clock: on two idle cores the wall clock cannot be below half of
it. Ready goals: ≤ ${START_GOALS.freshSeconds} s fresh, ≤ ${START_GOALS.secondSeconds} s second.

${markdownTable(
  ['start', 'ready', 'CPU', ...cpuParts.map((part) => `CPU ${part}`), 'load average (1 min) before'],
  times.runs.map((run) => [run.kind, seconds(run.seconds), seconds(run.cpuSeconds), ...cpuParts.map((part) => (run.cpuByPart[part] === undefined ? '' : seconds(run.cpuByPart[part]!))), run.loadAverage.toFixed(2)]),
)}

**Memory in use.** Then \`npm start\` once more (a second start), and ${use.users} visitors go through a
whole visit again and again for ${formatDuration(use.durationSeconds)}, each visit with a new account: register, login, \`/me\`,
sessions, JWKS, refresh, verify-request (a 429: register has just sent that email), forgot-password,
TOTP setup, passkey login options, passkeys, the demo page and its script, logout. ${formatCount(use.iterations)} visits,
${formatCount(use.requests)} requests (${Object.entries(use.statuses)
    .map(([status, count]) => `${status}: ${formatCount(count)}`)
    .join(', ')}). Memory is read from /proc every 5 s for
every process under \`npm\` (RSS summed; PSS counts the pages they share, such as the node binary,
once). Goal: the whole stack ≤ ${formatCount(START_GOALS.stackMiB)} MiB of RSS.

${markdownTable(['moment', 'at', 'RSS', 'PSS', ...parts.map((part) => `RSS ${part}`)], [memoryRow('ready', use.atReady), memoryRow('peak', use.peak), memoryRow('end', use.atEnd)])}

RSS over time (s: MiB): ${use.samples.map((sample) => `${Math.round(sample.atSeconds)}: ${Math.round(sample.rssMiB)}`).join(', ')}.`;
}
