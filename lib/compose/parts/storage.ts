/**
 * DynamoDB parts: one document client per composition, and the stores over it. A store needs
 * nothing by itself: a function states the actions it performs on each table where it uses the
 * store (`users('GetItem')`), and the parts that write for a purpose state theirs.
 */
import type { UserStore } from '../../accounts/user-store';
import { createDocumentClient } from '../../aws/dynamodb';
import { createDynamoDbSessionStore } from '../../aws/dynamodb-session-store';
import { createDynamoDbTicketStore } from '../../aws/dynamodb-ticket-store';
import { createDynamoDbUserStore } from '../../aws/dynamodb-user-store';
import { loadStorageConfig } from '../../core/config';
import type { SessionStore } from '../../sessions/session-store';
import type { TicketStore } from '../../tickets/ticket-store';
import { part, withNeeds, type Part, type TableAction } from '../part';

export const storageConfig = /* @__PURE__ */ part({ name: 'storageConfig', build: (_, { env }) => loadStorageConfig(env) });
export const documentClient = /* @__PURE__ */ part({
  name: 'documentClient',
  uses: { config: storageConfig },
  build: ({ config }) => createDocumentClient({ endpoint: config.dynamoDbEndpoint }),
});
export const userStore = /* @__PURE__ */ part({
  name: 'userStore',
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): UserStore => createDynamoDbUserStore(client, config.usersTable),
});
export const sessionStore = /* @__PURE__ */ part({
  name: 'sessionStore',
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): SessionStore => createDynamoDbSessionStore(client, config.sessionsTable, { usersTable: config.usersTable }),
});
/** Single-use tickets (MFA tokens, WebAuthn challenges) in the users table. */
export const ticketStore = /* @__PURE__ */ part({
  name: 'ticketStore',
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): TicketStore => createDynamoDbTicketStore(client, config.usersTable),
});

/** The user store, for a function that performs these actions on the users table. */
export const users = (...actions: TableAction[]): Part<UserStore> => withNeeds(userStore, { tables: { users: actions } });

/** The session store, for these actions on the sessions table (and `Query` on its by-user index). */
export const sessions = (actions: TableAction[], byUser: TableAction[] = []): Part<SessionStore> =>
  withNeeds(sessionStore, { tables: { sessions: actions, ...(byUser.length ? { sessionsByUser: byUser } : {}) } });

/** Ending every session of an account: the by-user index, and one conditional write per session. */
export const sessionEnder = /* @__PURE__ */ sessions(['UpdateItem'], ['Query']);
