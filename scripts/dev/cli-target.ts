/**
 * What the operator's CLIs (`npm run admin`, `npm run clients`) share: which tables they work on,
 * the DynamoDB client for them, and how a failure is said.
 *
 * Without --stage: the local DynamoDB of `npm start` (127.0.0.1:DYNAMODB_LOCAL_PORT, 8000 by
 * default; the `dev` stage's tables). With --stage: that stage's deployed tables (names from
 * infra/tables.js) with the caller's AWS credentials and region (--region, or the SDK's usual
 * AWS_REGION / profile).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableNames } from '../../infra/tables.js';
import { dynamoDbLocalEndpoint, LOCAL_AWS_ENV, SERVICE_NAME } from './dynamodb-local';

/** The stage `npm start` serves (scripts/start.ts). */
export const LOCAL_STAGE = 'dev';

/** A refusal the operator can act on: printed as it is, exit code 1 (2 for a wrong command line). */
export class CommandError extends Error {
  override readonly name: string = 'CommandError';
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

export interface CliTarget {
  readonly local: boolean;
  readonly stage: string;
  /** --region, when given (AWS only). */
  readonly region: string | undefined;
  readonly tables: ReturnType<typeof tableNames>;
  readonly documents: DynamoDBDocumentClient;
  /** Where the command works, for the operator: `local DynamoDB http://127.0.0.1:8000` or `stage prod`. */
  readonly label: string;
  destroy(): void;
}

/** The target of `--stage`/`--region` (both optional; --region only with --stage). */
export function cliTarget(options: { stage?: string | undefined; region?: string | undefined }, usage: string): CliTarget {
  if (options.region !== undefined && options.stage === undefined) throw new CommandError(`--region goes with --stage\n\n${usage}`, 2);
  const local = options.stage === undefined;
  const stage = options.stage ?? LOCAL_STAGE;
  const endpoint = local ? dynamoDbLocalEndpoint(Number(process.env.DYNAMODB_LOCAL_PORT ?? 8000)) : undefined;
  const client = new DynamoDBClient(
    local
      ? { endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY } }
      : { ...(options.region ? { region: options.region } : {}) },
  );
  return {
    local,
    stage,
    region: options.region,
    tables: tableNames(SERVICE_NAME, stage),
    documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    label: local ? `local DynamoDB ${endpoint}` : `stage ${stage}`,
    destroy: () => client.destroy(),
  };
}

/** Runs a CLI's main: its exit code, or a failure said plainly (the usual ways of pointing at the wrong place included). */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof CommandError) {
        console.error(error.message);
        process.exit(error.exitCode);
      }
      const name = error instanceof Error ? error.name : '';
      if (name === 'ResourceNotFoundException') console.error(`the tables were not found: is this the right stage and region? (${(error as Error).message})`);
      else if (/ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error))) console.error('DynamoDB Local does not answer: is `npm start` running? (set DYNAMODB_LOCAL_PORT if it is not on 8000)');
      else console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
