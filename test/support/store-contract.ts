import { createDocumentClient } from '../../lib/aws/dynamodb';

/**
 * Store contract tests: one suite per store port, run against its in-memory twin and against
 * DynamoDB Local, so the twin the unit tests rely on cannot drift from the adapter that ships.
 *
 *   describeContract('ticket store', { memory: () => createMemoryTicketStore(), dynamodb: () => createDynamoDbTicketStore(local.client, local.usersTable) }, (build) => { it(...) });
 */
export type AdapterName = 'memory' | 'DynamoDB';

export interface Twins<T> {
  readonly memory: () => T;
  readonly dynamodb: () => T;
}

/** Runs `suite` once per adapter, named `<port> (memory)` and `<port> (DynamoDB)`. */
export function describeContract<T>(port: string, twins: Twins<T>, suite: (build: () => T, adapter: AdapterName) => void): void {
  const adapters: [AdapterName, () => T][] = [
    ['memory', twins.memory],
    ['DynamoDB', twins.dynamodb],
  ];
  describe.each(adapters)(`${port} (%s)`, (adapter, build) => suite(build, adapter));
}

/** The run's DynamoDB Local (test/support/global-setup.ts) and a log of the operations sent to it. */
export function localDynamoDb() {
  const requests: string[] = [];
  const client = createDocumentClient({ endpoint: process.env.TEST_DYNAMODB_ENDPOINT, onRequest: (operation) => requests.push(operation) });
  return {
    client,
    requests,
    usersTable: process.env.TEST_USERS_TABLE!,
    sessionsTable: process.env.TEST_SESSIONS_TABLE!,
    emailOutboxTable: process.env.TEST_EMAIL_OUTBOX_TABLE!,
    auditTable: process.env.TEST_AUDIT_TABLE!,
    clientsTable: process.env.TEST_CLIENTS_TABLE!,
  };
}
