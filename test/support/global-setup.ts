import { ensureTables, LOCAL_AWS_ENV, startDynamoDbLocal } from '../../scripts/dev/dynamodb-local';
import { freePort } from '../../scripts/dev/ports';

/** One in-memory DynamoDB Local for the whole run; test files find it through the environment. */
export default async function globalSetup(): Promise<void> {
  const port = await freePort();
  const dynamo = await startDynamoDbLocal({ port });
  (globalThis as { __dynamoDbLocal?: unknown }).__dynamoDbLocal = dynamo;
  const tables = await ensureTables(dynamo.endpoint, 'test');
  Object.assign(process.env, LOCAL_AWS_ENV, {
    TEST_DYNAMODB_ENDPOINT: dynamo.endpoint,
    TEST_USERS_TABLE: tables.usersTable,
    TEST_SESSIONS_TABLE: tables.sessionsTable,
  });
}
