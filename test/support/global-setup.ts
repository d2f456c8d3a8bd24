import { ensureTables, LOCAL_AWS_ENV, startDynamoDbLocal } from '../../scripts/dev/dynamodb-local';
import { freePort } from '../../scripts/dev/ports';
import { startSesLocal } from '../../scripts/dev/ses-local';

/**
 * One in-memory DynamoDB Local and one local SES emulator for the whole run; test files find
 * them through the environment (TEST_DYNAMODB_ENDPOINT, TEST_SES_ENDPOINT).
 */
export default async function globalSetup(): Promise<void> {
  const [dynamoDbPort, sesPort] = [await freePort(), await freePort()];
  const [dynamo, ses] = await Promise.all([startDynamoDbLocal({ port: dynamoDbPort }), startSesLocal({ port: sesPort })]);
  Object.assign(globalThis as object, { __dynamoDbLocal: dynamo, __sesLocal: ses });
  const tables = await ensureTables(dynamo.endpoint, 'test');
  // The serverless-offline test servers run stage dev; creating its tables once here keeps
  // parallel test files from racing to create them.
  await ensureTables(dynamo.endpoint, 'dev');
  Object.assign(process.env, LOCAL_AWS_ENV, {
    TEST_DYNAMODB_ENDPOINT: dynamo.endpoint,
    TEST_USERS_TABLE: tables.usersTable,
    TEST_SESSIONS_TABLE: tables.sessionsTable,
    TEST_EMAIL_OUTBOX_TABLE: tables.emailOutboxTable,
    TEST_AUDIT_TABLE: tables.auditTable,
    TEST_CLIENTS_TABLE: tables.clientsTable,
    TEST_SES_ENDPOINT: ses.endpoint,
  });
}
