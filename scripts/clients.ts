/**
 * `npm run clients -- <command> [--stage <stage> [--region <region>]]`: registers the apps (OAuth
 * clients) that sign users in through this service, as the admin API does, without needing an
 * admin's token. The commands are in scripts/dev/client-commands.ts; the target (local DynamoDB of
 * `npm start`, or a stage's deployed table with the caller's credentials) is scripts/dev/cli-target.ts,
 * shared with `npm run admin`.
 *
 * A client secret is stored as a keyed hash under the stage's hash key: locally the one of
 * `npm start` (REFRESH_TOKEN_HASH_KEY, else .keys/refresh-token-hash-key), on AWS the stage's SSM
 * parameter (ssm:GetParameter with decryption, besides GetItem/PutItem/UpdateItem/DeleteItem/Scan on
 * the clients table). stdout carries only what the command answers (`create` and `rotate-secret`
 * print one JSON object, the secret included), so it can be piped; the target and the security
 * events go to stderr. The operator is no account, so the events are not in the audit trail.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parameterNames } from '../infra/environment.js';
import { createDynamoDbClientStore } from '../lib/aws/dynamodb-client-store';
import { systemClock } from '../lib/core/clock';
import { loadHashKeys } from '../lib/core/config';
import { createKeyring } from '../lib/core/keyring';
import { createLogger } from '../lib/core/logger';
import { createClientSecrets } from '../lib/oauth/client-secret';
import { cliTarget, CommandError, runCli, type CliTarget } from './dev/cli-target';
import { CLIENTS_USAGE, runClientCommand } from './dev/client-commands';
import { SERVICE_NAME } from './dev/dynamodb-local';
import { localHashKey } from './dev/keys';

const ROOT = join(__dirname, '..');

/** The stage's current hash key: the environment's, else npm start's (local) or the stage's SSM parameter. */
async function hashKeyOf(target: CliTarget): Promise<string> {
  if (target.local) return localHashKey(join(ROOT, '.keys'), process.env);
  if (process.env.REFRESH_TOKEN_HASH_KEY) return process.env.REFRESH_TOKEN_HASH_KEY;
  const name = parameterNames(SERVICE_NAME, target.stage).hashKey;
  const ssm = new SSMClient(target.region ? { region: target.region } : {});
  try {
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    if (!Parameter?.Value) throw new CommandError(`the SSM parameter ${name} is empty`);
    return Parameter.Value;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(`the stage's hash key could not be read from SSM (${name}: ${(error as Error).name}); it hashes client secrets`);
  } finally {
    ssm.destroy();
  }
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        stage: { type: 'string' },
        region: { type: 'string' },
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        resource: { type: 'string', multiple: true },
        public: { type: 'boolean' },
        'first-party': { type: 'boolean' },
        grant: { type: 'string', multiple: true },
        scope: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CommandError(`${(error as Error).message}\n\n${CLIENTS_USAGE}`, 2);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine();
  const { stage, region, ...options } = values;
  const target = cliTarget({ stage, region }, CLIENTS_USAGE);
  const logger = createLogger('warn', { source: 'npm run clients' }, (line) => void process.stderr.write(`${line}\n`));
  try {
    const lines = await runClientCommand(
      {
        clients: createDynamoDbClientStore(target.documents, target.tables.clients),
        secrets: async () => createClientSecrets(createKeyring(loadHashKeys({ REFRESH_TOKEN_HASH_KEY: await hashKeyOf(target) }).current)),
        clock: systemClock,
        logger,
      },
      positionals,
      options,
    );
    process.stderr.write(`[${target.label}: ${target.tables.clients}]\n`);
    for (const line of lines) console.log(line);
    return 0;
  } finally {
    target.destroy();
  }
}

runCli(main);
