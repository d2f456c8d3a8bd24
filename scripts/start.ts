/**
 * `npm start`: DynamoDB Local (data under .dynamodb/), the tables, local keys (.keys/), then
 * serverless-offline on PORT. Ctrl-C stops everything it started.
 */
import { join } from 'node:path';
import { SUPPORTED_ALGORITHMS, type JwtAlgorithm } from '../lib/core/config';
import { ensureTables, LOCAL_AWS_ENV, startDynamoDbLocal } from './dev/dynamodb-local';
import { localDevKeys } from './dev/keys';
import { startOffline } from './dev/offline';

const ROOT = join(__dirname, '..');
const STAGE = 'dev';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const dynamoDbPort = Number(process.env.DYNAMODB_LOCAL_PORT ?? 8000);
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

  try {
    console.log(`Starting DynamoDB Local on port ${dynamoDbPort} (data in .dynamodb/)...`);
    const dynamo = await startDynamoDbLocal({ port: dynamoDbPort, dbPath: join(ROOT, '.dynamodb') });
    stops.push(dynamo.stop);
    await ensureTables(dynamo.endpoint, STAGE);
    const keys = await localDevKeys(join(ROOT, '.keys'), algorithm, process.env);
    console.log(`Starting serverless-offline on port ${port}...`);
    const offline = await startOffline({
      port,
      lambdaPort: Number(process.env.OFFLINE_LAMBDA_PORT ?? port + 2),
      stage: STAGE,
      env: {
        ...LOCAL_AWS_ENV,
        // The demo page is served from this origin and refreshes with the cookie, which needs an allowed Origin.
        CORS_ALLOWED_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`,
        ...process.env,
        ...keys,
        JWT_ALG: algorithm,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
      } as Record<string, string>,
      inheritOutput: true,
    });
    stops.push(offline.stop);
    const baseUrl = `http://localhost:${port}/${STAGE}`;
    console.log(`
Auth service ready at ${baseUrl}   (Ctrl-C stops it and DynamoDB Local)

Try:
  curl -s -X POST ${baseUrl}/auth/register -H 'Content-Type: application/json' \\
    -d '{"email":"ada@example.com","password":"correct horse battery staple"}'
`);
  } catch (error) {
    console.error((error as Error).message);
    await shutdown(1);
  }
}

void main();
