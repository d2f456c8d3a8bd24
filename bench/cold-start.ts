import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runNode } from './child';
import { childEnv, ROOT } from './env';
import { serverlessBuildOptions } from './esbuild-options';
import { median } from './stats';
import { parseResult, RESULT_PREFIX } from './workers/protocol';

/** A function bundle to start in a fresh process, with the event of its first invocation. */
export interface ColdStartTarget {
  readonly label: string;
  readonly modulePath: string;
  readonly exportName: string;
  readonly env: Record<string, string>;
  readonly event: unknown;
  /** Sizes of the handler module and of its zip, carried into the result for the report. */
  readonly bundleBytes?: number | undefined;
  readonly zipBytes?: number | undefined;
}

export interface ColdStartSample {
  /** From process start (performance.timeOrigin) until the first invocation has answered. */
  readonly readyMs: number;
  /** The part spent in require + init (key import) + first invocation. */
  readonly loadMs: number;
  /** CPU time of the process until then (all threads), which a busy neighbour does not inflate. */
  readonly cpuMs: number;
  /** statusCode of an HTTP handler; "allow" or "deny" for an authorizer. */
  readonly outcome: string;
}

export interface ColdStartResult {
  readonly label: string;
  readonly bundleBytes?: number | undefined;
  readonly zipBytes?: number | undefined;
  readonly samples: readonly ColdStartSample[];
  readonly medianReadyMs: number;
  readonly medianLoadMs: number;
  readonly medianCpuMs: number;
  /** Median readyMs against the floor's. */
  readonly ratio: number;
  /** Median cpuMs against the floor's. */
  readonly cpuRatio: number;
  readonly outcome: string;
}

export interface ColdStartReport {
  readonly floor: ColdStartResult;
  readonly targets: readonly ColdStartResult[];
}

/** The stateless authorizer's ready time against the node:crypto floor. */
export const COLD_START_GOAL = 1.15;
/** The functions held to the SDK-only reference, and how far they may be from it. */
export const SDK_REFERENCE_FUNCTIONS = ['refresh', 'login', 'me'] as const;
export const SDK_REFERENCE_GOAL = 1.5;
/** Their bundles' size (handler .js), in bytes (1 KB = 1000 B). */
export const SDK_FUNCTION_BUNDLE_GOAL_BYTES = 700_000;
export const SDK_REFERENCE_LABEL = 'reference: @aws-sdk/client-dynamodb only';

// The least a DynamoDB function can load: the client, built at cold start as our functions build
// theirs, and one command, so the bundle keeps what sending a request needs.
const SDK_REFERENCE_SOURCE = `
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async () => {
  const command = new GetItemCommand({ TableName: 'reference', Key: { id: { S: 'reference' } } });
  return { statusCode: client && command ? 200 : 500, body: '' };
};
`;

// Plain node, no loader: the child does what the Lambda runtime does, require the bundle and call it.
// The floor child runs the same script with nothing to load but node:crypto.
const SCRIPT = `
const start = performance.now();
(async () => {
  let outcome = 'floor';
  const target = process.env.BENCH_MODULE;
  if (target) {
    try {
      const result = await require(target)[process.env.BENCH_EXPORT](JSON.parse(process.env.BENCH_EVENT));
      outcome = result && typeof result.principalId === 'string' ? 'allow' : String(result && result.statusCode);
    } catch (error) {
      // An authorizer refuses by throwing exactly this; a failed init throws anything else.
      if (!(error instanceof Error && error.message === 'Unauthorized')) throw error;
      outcome = 'deny';
    }
  } else {
    await import('node:crypto');
  }
  const ready = performance.now();
  const cpu = process.cpuUsage();
  process.stdout.write('\\n${RESULT_PREFIX}' + JSON.stringify({ readyMs: ready, loadMs: ready - start, cpuMs: (cpu.user + cpu.system) / 1000, outcome }) + '\\n');
})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * Fresh-process start of each bundle against a fresh process that only imports node:crypto.
 * Samples go round-robin (floor, a, b, ..., then a, b, ..., floor, ...) so a noisy moment hits all alike.
 */
export async function measureColdStarts(targets: readonly ColdStartTarget[], { samples }: { samples: number }): Promise<ColdStartReport> {
  const floorEnv = targets[0]?.env ?? {};
  const all = [{ label: 'floor', env: floorEnv, extra: {} as Record<string, string> }].concat(
    targets.map((target) => ({
      label: target.label,
      env: target.env,
      extra: { BENCH_MODULE: target.modulePath, BENCH_EXPORT: target.exportName, BENCH_EVENT: JSON.stringify(target.event) },
    })),
  );
  const collected = all.map(() => [] as ColdStartSample[]);
  for (let round = 0; round < samples; round++) {
    // Each round starts one place further on, so no bundle always follows the same neighbour.
    for (let offset = 0; offset < all.length; offset++) {
      const index = (round + offset) % all.length;
      const entry = all[index]!;
      const stdout = await runNode(['-e', SCRIPT], { env: childEnv({ ...entry.env, ...entry.extra }), cwd: ROOT, timeoutMs: 60_000 });
      collected[index]!.push(parseResult<ColdStartSample>(stdout, `cold start of ${entry.label}`));
    }
  }
  const summarise = (label: string, list: ColdStartSample[], floor: ColdStartSample[], sizes: Pick<ColdStartTarget, 'bundleBytes' | 'zipBytes'> = {}): ColdStartResult => {
    const readyMs = median(list.map((sample) => sample.readyMs));
    const cpuMs = median(list.map((sample) => sample.cpuMs));
    const outcomes = [...new Set(list.map((sample) => sample.outcome))];
    return {
      label,
      ...sizes,
      samples: list,
      medianReadyMs: readyMs,
      medianLoadMs: median(list.map((sample) => sample.loadMs)),
      medianCpuMs: cpuMs,
      ratio: readyMs / median(floor.map((sample) => sample.readyMs)),
      cpuRatio: cpuMs / median(floor.map((sample) => sample.cpuMs)),
      outcome: outcomes.join('/'),
    };
  };
  return {
    floor: summarise('floor', collected[0]!, collected[0]!),
    targets: targets.map((target, index) => summarise(target.label, collected[index + 1]!, collected[0]!, target)),
  };
}

/**
 * Builds the SDK-only reference bundle with serverless.yml's esbuild options into `directory`,
 * as a cold-start target (its first invocation answers 200 without a request).
 */
export async function buildSdkReference(directory: string): Promise<ColdStartTarget & { bundleBytes: number }> {
  mkdirSync(directory, { recursive: true });
  const outfile = join(directory, 'sdk-reference.js');
  await build({
    ...serverlessBuildOptions(),
    stdin: { contents: SDK_REFERENCE_SOURCE, resolveDir: ROOT, sourcefile: 'sdk-reference.ts', loader: 'ts' },
    outfile,
  });
  return { label: SDK_REFERENCE_LABEL, modulePath: outfile, exportName: 'handler', env: {}, event: {}, bundleBytes: statSync(outfile).size };
}

/** The first event of an HTTP function in the cold-start run: no body and no authorizer context, so it answers without DynamoDB. */
export function coldHttpEvent(httpMethod: string): Record<string, unknown> {
  return {
    resource: '/',
    path: '/',
    httpMethod,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { stage: 'dev', requestId: 'cold-start', identity: { sourceIp: '127.0.0.1' } },
  };
}
