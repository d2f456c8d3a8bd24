/** DynamoDB parts: one document client per container, and the stores over it. */
import type { UserStore } from '../accounts/user-store';
import { createDocumentClient } from '../aws/dynamodb';
import { createDynamoDbSessionStore } from '../aws/dynamodb-session-store';
import { createDynamoDbTicketStore } from '../aws/dynamodb-ticket-store';
import { createDynamoDbUserStore } from '../aws/dynamodb-user-store';
import { loadStorageConfig } from '../core/config';
import type { SessionStore } from '../sessions/session-store';
import type { TicketStore } from '../tickets/ticket-store';
import { env, lazy, lazySync } from './runtime';

export const storageConfig = /* @__PURE__ */ lazySync(() => loadStorageConfig(env));
export const documentClient = /* @__PURE__ */ lazySync(() => createDocumentClient({ endpoint: storageConfig().dynamoDbEndpoint }));
export const userStore = /* @__PURE__ */ lazy((): UserStore => createDynamoDbUserStore(documentClient(), storageConfig().usersTable));
export const sessionStore = /* @__PURE__ */ lazy(
  (): SessionStore => createDynamoDbSessionStore(documentClient(), storageConfig().sessionsTable, { usersTable: storageConfig().usersTable }),
);
/** Single-use tickets (MFA tokens, WebAuthn challenges) in the users table. */
export const ticketStore = /* @__PURE__ */ lazySync((): TicketStore => createDynamoDbTicketStore(documentClient(), storageConfig().usersTable));
