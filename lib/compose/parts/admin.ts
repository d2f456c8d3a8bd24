/** Admin API parts: its policy (ADMIN_REQUIRE_MFA), the listing of accounts, and ending a user's sessions for an admin. */
import { createDynamoDbAccountDirectory } from '../../aws/dynamodb-account-directory';
import type { AccountDirectory } from '../../admin/account-directory';
import { loadAdminPolicy } from '../../core/config';
import { endAllSessions } from '../../sessions/session-service';
import { part } from '../part';
import { sessionEnding } from './sessions';
import { documentClient, storageConfig } from './storage';

export const adminPolicy = /* @__PURE__ */ part({ name: 'adminPolicy', build: (_, { env }) => loadAdminPolicy(env) });

/** The listing of accounts: a filtered Scan of the users table (the only function that may scan it). */
export const accountDirectory = /* @__PURE__ */ part({
  name: 'accountDirectory',
  needs: { tables: { users: ['Scan'] } },
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): AccountDirectory => createDynamoDbAccountDirectory(client, config.usersTable),
});

/** Ends every session of a user for an admin (POST /admin/users/{id}/sign-out), counted like logout-all's. */
export const adminSignOut = /* @__PURE__ */ part({
  name: 'adminSignOut',
  uses: { ending: sessionEnding },
  build: ({ ending }, { clock }) => (userId: string, deadline?: number) =>
    endAllSessions({ sessions: ending.sessions, clock, count: (name) => ending.metrics.count(name) }, userId, 'signed_out_by_admin', { deadline }),
});
