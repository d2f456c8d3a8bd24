import { randomBytes, randomUUID } from 'node:crypto';
import { createDynamoDbAuditStore } from '../../lib/aws/dynamodb-audit-store';
import { createDynamoDbSessionStore } from '../../lib/aws/dynamodb-session-store';
import { createDynamoDbUserStore } from '../../lib/aws/dynamodb-user-store';
import type { SessionRecord } from '../../lib/sessions/session';
import { sessionClaimsWith } from '../../lib/tokens/session-claims';
import { tableNames } from '../../infra/tables.js';
import { SERVICE_NAME } from '../../scripts/dev/dynamodb-local';
import { runAdminCli } from '../support/admin-cli';
import { uniqueEmail } from '../support/fixtures';
import { localDynamoDb } from '../support/store-contract';

const local = localDynamoDb();
// The CLI's default target is the `dev` stage of the local DynamoDB; the global setup made those tables.
const tables = tableNames(SERVICE_NAME, 'dev');
const users = createDynamoDbUserStore(local.client, tables.users);
const sessions = createDynamoDbSessionStore(local.client, tables.sessions, { usersTable: tables.users });
const audit = createDynamoDbAuditStore(local.client, tables.audit);
const HOUR = 3_600_000;

const admin = runAdminCli;

async function accountWithSession() {
  const email = uniqueEmail('cli');
  const id = randomUUID();
  await users.create({ id, email, passwordHash: 'unused', createdAt: Date.now(), emailVerified: true, mfaEnabled: false, credentialsVersion: 0 });
  const now = Date.now();
  const session: SessionRecord = {
    id: randomBytes(16).toString('base64url'),
    userId: id,
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: now + HOUR,
    absoluteExpiresAt: now + 24 * HOUR,
    generation: 0,
    tokenHash: 'hash-0',
    claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(now / 1000) }),
  };
  await sessions.create(session);
  return { email, id, sessionId: session.id };
}

describe('npm run admin (the operator\'s CLI, on the local DynamoDB)', () => {
  it('grant-role gives the role, writes it onto the live sessions and says so; run again, it changes nothing and says so', async () => {
    // Arrange
    const { email, id, sessionId } = await accountWithSession();
    // Act
    const first = await admin('grant-role', email, 'admin');
    const second = await admin('grant-role', email.toUpperCase(), 'admin');
    // Assert
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`granted admin to ${email} (${id}); roles now: admin; 1 live session updated`);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toContain(`${email} (${id}) already has admin`);
    expect(await users.findById(id)).toMatchObject({ roles: ['admin'], rolesVersion: 1 });
    expect((await sessions.get(sessionId))?.claims).toMatchObject({ roles: ['admin'], scope: 'audit:read clients:read clients:write users:read users:write' });
    expect(first.stderr).toContain('roles_changed');
    // The change is in the audit trail, by no admin (the operator), once: the second run changed nothing.
    const { events } = await audit.list({ userId: id, limit: 10, now: Date.now() });
    expect(events).toEqual([expect.objectContaining({ type: 'roles_changed', userId: id, userAgent: 'npm run admin', details: { roles_before: '', roles_after: 'admin' } })]);
    expect(events[0]?.actorId).toBeUndefined();
  }, 120_000);

  it('list shows the accounts with a role; revoke-role takes it back from the account and its sessions, idempotently', async () => {
    const { email, id, sessionId } = await accountWithSession();
    await admin('grant-role', email, 'admin');
    const listed = await admin('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${email}\t${id}\tadmin`);
    const revoked = await admin('revoke-role', email, 'admin');
    expect(revoked).toMatchObject({ code: 0 });
    expect(revoked.stdout).toContain(`revoked admin from ${email} (${id}); roles now: (none); 1 live session updated`);
    expect((await admin('revoke-role', email, 'admin')).stdout).toContain(`${email} (${id}) does not have admin`);
    expect((await sessions.get(sessionId))?.claims.roles).toEqual([]);
    expect((await admin('list')).stdout).not.toContain(email);
  }, 120_000);

  it('disable ends the sessions and enable lifts it, each idempotent', async () => {
    const { email, id, sessionId } = await accountWithSession();
    const disabled = await admin('disable', email);
    expect(disabled.stdout).toContain(`disabled ${email} (${id}); 1 live session ended`);
    expect(await users.findById(id)).toMatchObject({ disabled: true });
    expect((await sessions.get(sessionId))?.revokedReason).toBe('account_disabled');
    expect((await admin('disable', email)).stdout).toContain('was already disabled');
    expect((await admin('enable', email)).stdout).toContain(`enabled ${email} (${id})`);
    expect((await admin('enable', email)).stdout).toContain('is not disabled; nothing changed');
    expect((await users.findById(id))?.disabled).toBeUndefined();
    const { events } = await audit.list({ userId: id, limit: 10, now: Date.now() });
    expect(events.map((event) => event.type)).toEqual(['account_enabled', 'account_disabled', 'account_disabled']);
  }, 120_000);

  it('exits non-zero with a clear message for an unknown email, a role the map does not know, or a wrong command line', async () => {
    const nobody = uniqueEmail('nobody');
    expect(await admin('grant-role', nobody, 'admin')).toMatchObject({ code: 1, stderr: expect.stringContaining(`no account has the email ${nobody}`) });
    expect(await admin('disable', nobody)).toMatchObject({ code: 1, stderr: expect.stringContaining('no account has the email') });
    const { email } = await accountWithSession();
    expect(await admin('grant-role', email, 'superuser')).toMatchObject({ code: 2, stderr: expect.stringContaining('config/roles.json has no role "superuser"') });
    expect(await admin('grant-role', email)).toMatchObject({ code: 2, stderr: expect.stringContaining('grant-role takes <email> <role>') });
    expect(await admin('promote', email)).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "promote"') });
  }, 120_000);
});
