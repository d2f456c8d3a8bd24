/**
 * `npm run admin -- <command> [--stage <stage> [--region <region>]]`: the operator's way to give
 * the first admin (and take roles, list role holders, disable and enable accounts) without the
 * admin API, which itself needs an admin. The commands are in scripts/dev/admin-commands.ts.
 *
 * Without --stage it works on the local DynamoDB of `npm start` (127.0.0.1:DYNAMODB_LOCAL_PORT,
 * 8000 by default; the `dev` stage's tables). With --stage it works on that stage's deployed
 * tables (names from infra/tables.js) with the caller's AWS credentials and region (--region, or
 * the SDK's usual AWS_REGION / profile). It needs on the users table GetItem, UpdateItem and Scan
 * (list), on the sessions table Query on the by-user index and UpdateItem, and PutItem on the audit
 * table: each change's security event (roles_changed, account_disabled, account_enabled) is stored
 * in the audit trail as the functions store theirs, with no actor (the operator is no account) and
 * the user agent `npm run admin`, kept AUDIT_RETENTION_DAYS [400] days.
 */
import { parseArgs } from 'node:util';
import ROLE_MAP from '../config/roles.json';
import { auditingSecurityEvents, createAuditTrail, openAuditScope, withAuditScope } from '../lib/audit/audit-trail';
import { createDynamoDbAuditStore } from '../lib/aws/dynamodb-audit-store';
import { readInteger } from '../lib/core/settings';
import { parseRoleMap } from '../lib/authz/roles';
import { createDynamoDbSessionStore } from '../lib/aws/dynamodb-session-store';
import { createDynamoDbUserStore } from '../lib/aws/dynamodb-user-store';
import { systemClock } from '../lib/core/clock';
import { createLogger } from '../lib/core/logger';
import { endAllSessions } from '../lib/sessions/session-service';
import { runAdminCommand, USAGE } from './dev/admin-commands';
import { cliTarget, runCli } from './dev/cli-target';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ options: { stage: { type: 'string' }, region: { type: 'string' } }, allowPositionals: true, strict: true });
  const target = cliTarget(values, USAGE);
  const { tables, documents } = target;
  // Security events (roles_changed, account_disabled...) go to stderr, as a record of who ran what; stdout says what changed.
  const baseLogger = createLogger('warn', { source: 'npm run admin' }, (line) => void process.stderr.write(`${line}\n`));
  const sessions = createDynamoDbSessionStore(documents, tables.sessions, { usersTable: tables.users });
  // A security event also goes to the stage's audit trail; a failed write is logged (stderr) and never fails the command.
  const missed = () => undefined;
  const trail = createAuditTrail({ store: createDynamoDbAuditStore(documents, tables.audit), clock: systemClock, retentionDays: readInteger(process.env, 'AUDIT_RETENTION_DAYS', 1, 3650), countMiss: missed });
  const audit = openAuditScope({ trail, origin: { userAgent: 'npm run admin' }, logger: baseLogger, countMiss: missed });
  const logger = auditingSecurityEvents(baseLogger);
  try {
    const lines = await withAuditScope(audit, () => runAdminCommand(
      {
        users: createDynamoDbUserStore(documents, tables.users),
        sessions,
        roles: parseRoleMap(ROLE_MAP, (role) => logger.warn('an account holds a role that config/roles.json does not know; it grants nothing', { role })),
        clock: systemClock,
        logger,
        endSessions: (userId) => endAllSessions({ sessions, clock: systemClock }, userId, 'account_disabled'),
      },
      positionals,
    ));
    await audit.settle();
    console.log(`[${target.label}: ${tables.users}, ${tables.sessions}]`);
    for (const line of lines) console.log(line);
    return 0;
  } finally {
    target.destroy();
  }
}

runCli(main);
