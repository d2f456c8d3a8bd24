/**
 * `npm start`: local keys (.keys/), then at once DynamoDB Local (data under .dynamodb/, and the
 * tables as soon as it answers), the local SES v2 emulator and serverless-offline on PORT. Every
 * listener is on 127.0.0.1 only; serverless-offline's Lambda Invoke API is a Unix socket.
 *
 * It lives and dies whole: Ctrl-C (or SIGTERM) stops everything it started and exits 0; if any of
 * its children exits on its own, it stops the others and exits 1, saying which one and how.
 *
 * Settings: PORT [3000], DYNAMODB_LOCAL_PORT [8000], SES_LOCAL_PORT [8005], JWT_ALG [ES256],
 * DYNAMODB_LOCAL_DATA_DIR [.dynamodb/], START_DEBUG=true (prints the children's pids).
 */
import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { SUPPORTED_ALGORITHMS, type JwtAlgorithm } from '../lib/core/config';
import { describeExit, type ChildExit } from './dev/child-exit';
import { compileCacheDir } from './dev/cache';
import { dynamoDbLocalEndpoint, ensureTables, LOCAL_AWS_ENV, startDynamoDbLocal } from './dev/dynamodb-local';
import { localDevKeys } from './dev/keys';
import { startOffline } from './dev/offline';
import { sesLocalEndpoint, startSesLocal } from './dev/ses-local';

const ROOT = join(__dirname, '..');
const STAGE = 'dev';
/** Ctrl-C in a terminal signals the children too; this lets our own SIGINT handler win that race. */
const SIGNAL_RACE_GRACE_MS = 300;

interface Child {
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  // For what this process loads from here on (the SDK, jose); its children get it too (dev/cache.ts).
  enableCompileCache(compileCacheDir());
  const port = Number(process.env.PORT ?? 3000);
  const dynamoDbPort = Number(process.env.DYNAMODB_LOCAL_PORT ?? 8000);
  const sesPort = Number(process.env.SES_LOCAL_PORT ?? 8005);
  const dataDir = process.env.DYNAMODB_LOCAL_DATA_DIR || join(ROOT, '.dynamodb');
  const debug = process.env.START_DEBUG === 'true';
  const algorithm = (process.env.JWT_ALG ?? 'ES256') as JwtAlgorithm;
  if (!SUPPORTED_ALGORITHMS.includes(algorithm)) throw new Error(`JWT_ALG must be one of ${SUPPORTED_ALGORITHMS.join(', ')}`);

  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  /** Registers a started child: stopped on shutdown, and its own death brings everything down. */
  const supervise = (name: string, child: Child) => {
    stops.push(child.stop);
    if (debug) console.log(`[start] ${name} pid ${child.pid}`);
    void child.exited.then(async (exit) => {
      if (stopping) return;
      await new Promise((resolve) => setTimeout(resolve, SIGNAL_RACE_GRACE_MS));
      if (stopping) return;
      console.error(`\n${name} exited on its own (${describeExit(exit)}); stopping everything else.`);
      await shutdown(1);
    });
  };

  /** Starts one part; once it runs, it is supervised. */
  const launch = async <T extends Child>(name: string, start: () => Promise<T>): Promise<T> => {
    const child = await start();
    supervise(name, child);
    return child;
  };

  try {
    console.log(`Starting on Node ${process.version}: DynamoDB Local on port ${dynamoDbPort} (data in ${dataDir}), the SES emulator on port ${sesPort}, serverless-offline on port ${port}...`);
    const keys = await localDevKeys(join(ROOT, '.keys'), algorithm, process.env);
    const dynamoDbEndpoint = dynamoDbLocalEndpoint(dynamoDbPort);
    // The three start side by side, the longest first; serverless-offline needs the others only once a request comes.
    const parts = await Promise.allSettled([
      launch('serverless-offline', () =>
        startOffline({
          port,
          stage: STAGE,
          env: {
            ...LOCAL_AWS_ENV,
            // The demo page is served from this origin and refreshes with the cookie, which needs an allowed Origin.
            CORS_ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`,
            APP_BASE_URL: `http://localhost:${port}/${STAGE}/demo`,
            ...process.env,
            ...keys,
            JWT_ALG: algorithm,
            DYNAMODB_ENDPOINT: dynamoDbEndpoint,
            SES_ENDPOINT: sesLocalEndpoint(sesPort),
          } as Record<string, string>,
          inheritOutput: true,
        }),
      ),
      launch('DynamoDB Local', () => startDynamoDbLocal({ port: dynamoDbPort, dbPath: dataDir })).then(async (dynamo) => {
        await ensureTables(dynamo.endpoint, STAGE);
        return dynamo;
      }),
      launch('SES emulator (aws-ses-v2-local)', () => startSesLocal({ port: sesPort })),
    ]);
    const failure = parts.find((part) => part.status === 'rejected');
    if (failure) throw failure.reason;
    const baseUrl = `http://localhost:${port}/${STAGE}`;
    console.log(`
Auth service ready at ${baseUrl}   (in ${process.uptime().toFixed(1)} s; Ctrl-C stops it, DynamoDB Local and the SES emulator)
Emails it sends:      http://localhost:${sesPort}/   (JSON: http://localhost:${sesPort}/store)

Try:
  curl -s -X POST ${baseUrl}/auth/register -H 'Content-Type: application/json' \\
    -d '{"email":"ada@example.com","password":"correct horse battery staple"}'
`);
  } catch (error) {
    if (stopping) return;
    console.error((error as Error).message);
    await shutdown(1);
  }
}

void main();
