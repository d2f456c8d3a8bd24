import { ensureTables, LOCAL_AWS_ENV, startDynamoDbLocal } from '../../scripts/dev/dynamodb-local';
import { freePort } from '../../scripts/dev/ports';

/** One in-memory DynamoDB Local for the whole run; test files find it through the environment. */
export default async function globalSetup(): Promise<void> {
  const port = await freePort();
  const dynamo = await startDynamoDbLocal({ port });
  (globalThis as { __dynamoDbLocal?: unknown }).__dynamoDbLocal = dynamo;
  const tables = await ensureTables(dynamo.endpoint, 'test');
  // The serverless-offline test servers run stage dev; creating its tables once here keeps
  // parallel test files from racing to create them.
  await ensureTables(dynamo.endpoint, 'dev');
  Object.assign(process.env, LOCAL_AWS_ENV, {
    TEST_DYNAMODB_ENDPOINT: dynamo.endpoint,
    TEST_USERS_TABLE: tables.usersTable,
    TEST_SESSIONS_TABLE: tables.sessionsTable,
  });
}
