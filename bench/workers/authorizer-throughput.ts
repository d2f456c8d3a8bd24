/**
 * Child process of bench/authorizer-throughput.ts, one per algorithm: loads the packaged
 * authorizer module with this process's environment (as Lambda would at cold start), signs a pool
 * of distinct access tokens with the service's own issuer, then times, interleaved in this one
 * process, the authorizer handler against the floor: node:crypto verify with a pre-imported KeyObject.
 */
import { createHmac, createPublicKey, createSecretKey, timingSafeEqual, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Jwk, JwtAlgorithm } from '../../lib/core/config';
import { createBenchIssuer, tokenEvent } from '../tokens';
import { RESULT_PREFIX, type RunRate, type ThroughputWorkerInput, type ThroughputWorkerOutput } from './protocol';
import { sessionClaimsWith } from '../../lib/tokens/session-claims';

const SIGNING_BATCH = 200;

type Handler = (event: unknown) => Promise<{ principalId?: string }>;
type FloorVerify = (signingInput: Buffer, signature: Buffer) => boolean;

async function main(): Promise<void> {
  const input = JSON.parse(process.env.BENCH_INPUT ?? '') as ThroughputWorkerInput;
  const signingJwk = process.env.BENCH_SIGNING_JWK;
  if (!signingJwk) throw new Error('BENCH_SIGNING_JWK is not set');
  const { config, issuer } = await createBenchIssuer({ ...process.env, JWT_PRIVATE_KEY: signingJwk });

  // One block of distinct tokens for the warm-up and one per run: the authorizer never sees a token twice.
  const blocks: string[][] = [];
  for (let block = 0; block <= input.runs; block++) {
    const tokens: string[] = [];
    while (tokens.length < input.iterations) {
      const batch = Math.min(SIGNING_BATCH, input.iterations - tokens.length);
      const issued = await Promise.all(
        Array.from({ length: batch }, (_, index) => issuer.issue({ userId: `user-${block}-${tokens.length + index}`, sessionId: `session-${block}-${tokens.length + index}`, claims: sessionClaimsWith({ amr: ['pwd'], scope: input.scope ?? '', authTime: Math.floor(Date.now() / 1000) }) })),
      );
      tokens.push(...issued.map((result) => result.token));
    }
    blocks.push(tokens);
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const handler = (require(input.modulePath) as Record<string, Handler>)[input.exportName];
  if (typeof handler !== 'function') throw new Error(`${input.modulePath} exports no ${input.exportName}`);
  const floor = floorVerifier(config.algorithm, config.privateJwk!);

  const runAuthorizer = async (tokens: readonly string[]): Promise<RunRate> => {
    const events = tokens.map(tokenEvent);
    const start = startTimer();
    for (const event of events) {
      const result = await handler(event);
      if (typeof result?.principalId !== 'string') throw new Error(`the authorizer did not allow a valid token: ${JSON.stringify(result)}`);
    }
    return start.rate(events.length);
  };
  const runFloor = (tokens: readonly string[]): RunRate => {
    const start = startTimer();
    for (const token of tokens) {
      const dot = token.lastIndexOf('.');
      const signingInput = Buffer.from(token.slice(0, dot), 'latin1');
      const signature = Buffer.from(token.slice(dot + 1), 'base64url');
      if (!floor(signingInput, signature)) throw new Error('the floor did not verify a valid token');
    }
    return start.rate(tokens.length);
  };

  // The request's own route must be allowed: a Deny is not the path being timed.
  const first = (await handler(tokenEvent(blocks[0]![0]!))) as { policyDocument?: { Statement: { Effect: string; Resource: string | string[] }[] } };
  const allows = first.policyDocument?.Statement.some((statement) => statement.Effect === 'Allow' && [statement.Resource].flat().some((resource) => resource.endsWith('/GET/me') || resource.endsWith('/*/*')));
  if (!allows) throw new Error(`the authorizer does not allow GET /me to the benchmark's tokens: ${JSON.stringify(first)}`);
  await runAuthorizer(blocks[0]!);
  runFloor(blocks[0]!);
  const authorizer: RunRate[] = [];
  const floorRates: RunRate[] = [];
  for (let run = 1; run <= input.runs; run++) {
    const tokens = blocks[run]!;
    // A B, then B A: neither side always runs first (GC debt, CPU frequency).
    if (run % 2 === 1) {
      authorizer.push(await runAuthorizer(tokens));
      floorRates.push(runFloor(tokens));
    } else {
      floorRates.push(runFloor(tokens));
      authorizer.push(await runAuthorizer(tokens));
    }
  }
  const output: ThroughputWorkerOutput = { algorithm: config.algorithm, authorizer, floor: floorRates };
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(output)}\n`);
}

/**
 * Wall-clock and CPU time of a run. On a shared machine the process is often descheduled; its CPU
 * time (user + system, all threads) counts only the time it actually ran.
 */
function startTimer(): { rate(count: number): RunRate } {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return {
    rate(count) {
      const wallSeconds = Number(process.hrtime.bigint() - wall) / 1e9;
      const used = process.cpuUsage(cpu);
      return { wall: count / wallSeconds, cpu: count / ((used.user + used.system) / 1e6) };
    },
  };
}

/** The cryptographic floor: one node:crypto call with a KeyObject imported once, before timing. */
function floorVerifier(algorithm: JwtAlgorithm, privateJwk: Jwk): FloorVerify {
  if (algorithm === 'HS256') {
    const secret: KeyObject = createSecretKey(Buffer.from(String(privateJwk.k), 'base64url'));
    return (signingInput, signature) => {
      const mac = createHmac('sha256', secret).update(signingInput).digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    };
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, kid: _kid, alg: _alg, ...publicJwk } = privateJwk;
  const key = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  if (algorithm === 'ES256') {
    const keyWithEncoding = { key, dsaEncoding: 'ieee-p1363' as const };
    return (signingInput, signature) => verify('sha256', signingInput, keyWithEncoding, signature);
  }
  if (algorithm === 'EdDSA') return (signingInput, signature) => verify(null, signingInput, key, signature);
  return (signingInput, signature) => verify('sha256', signingInput, key, signature);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
