import { passwordLogin } from '../../lib/accounts/login';
import { AUDIT_WRITE_BUDGET_MS, auditingSecurityEvents, createAuditTrail, openAuditScope, withAuditScope } from '../../lib/audit/audit-trail';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { createDynamoDbAuditStore } from '../../lib/aws/dynamodb-audit-store';
import { logger as loggerPart } from '../../lib/compose/observability';
import { provide } from '../../lib/compose/part';
import { attemptLimits, loginPolicy } from '../../lib/compose/parts/sessions';
import { createMemoryMetrics } from '../../lib/metrics/metrics';
import { ensureTables, startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/dev/dynamodb-local';
import { freePort } from '../../scripts/dev/ports';
import { capturingLogger, createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';

// The audit table on a DynamoDB Local of this file's own, paused with SIGSTOP (a process that
// accepts connections and never answers) and resumed with SIGCONT, as in hung-dependencies.test.ts.
describe('an audit table that does not answer', () => {
  let dynamo: DynamoDbLocal;
  let tables: Awaited<ReturnType<typeof ensureTables>>;
  const paused = new Set<number>();
  const pause = (pid: number) => (process.kill(pid, 'SIGSTOP'), paused.add(pid));
  const resume = (pid: number) => (process.kill(pid, 'SIGCONT'), paused.delete(pid));

  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({ port: await freePort() });
    tables = await ensureTables(dynamo.endpoint, 'hung');
  }, 60_000);
  afterEach(() => paused.forEach(resume));
  afterAll(async () => {
    paused.forEach(resume);
    await dynamo?.stop();
  });

  it('a login whose audit write hangs still answers, within the write\'s budget; the miss is logged and counted, and the next write lands once resumed', async () => {
    // Prepare: the accounts and sessions in memory, the audit table on the DynamoDB Local that will hang.
    const audit = createDynamoDbAuditStore(createDocumentClient({ endpoint: dynamo.endpoint }), tables.auditTable);
    const log = capturingLogger();
    const logger = auditingSecurityEvents(log.logger);
    const { app, root, users, passwords, sessionIssuer, clock } = await createTestApp({}, { stores: 'memory', overrides: [provide(loggerPart, Object.assign(logger, { addContext: () => undefined }))] });
    const metrics = createMemoryMetrics();
    const trail = createAuditTrail({ store: audit, clock, retentionDays: 400, countMiss: () => metrics.count('AuditWriteFailed') });
    const email = uniqueEmail('audit-hung');
    await app.accounts.register(email, PASSWORD);
    const deps = { clock, users, passwords, sessions: sessionIssuer, logger, limits: await root.get(attemptLimits), policy: await root.get(loginPolicy) };
    // As the HTTP wrapper does (lib/compose/runtime.ts): the request runs in an audit scope, and waits for it before answering.
    const request = async () => {
      const scope = openAuditScope({ trail, origin: { ip: '203.0.113.9', userAgent: 'hung-test' }, logger, countMiss: () => metrics.count('AuditWriteFailed') });
      try {
        return await withAuditScope(scope, () => passwordLogin(deps, email, PASSWORD, { ip: '203.0.113.9', userAgent: 'hung-test' }));
      } finally {
        await scope.settle();
      }
    };
    await request();
    expect(metrics.total('AuditWriteFailed')).toBe(0);
    pause(dynamo.pid);

    // Act
    const started = Date.now();
    const tokens = await request();
    const ms = Date.now() - started;

    // Assess
    expect(tokens.accessToken).toEqual(expect.any(String));
    expect(ms).toBeGreaterThanOrEqual(AUDIT_WRITE_BUDGET_MS - 50);
    expect(ms).toBeLessThan(AUDIT_WRITE_BUDGET_MS + 1_000);
    expect(metrics.total('AuditWriteFailed')).toBe(1);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', securityEvent: 'login_succeeded', message: expect.stringContaining('audit write failed') }));
    expect(log.lines.filter((line) => line.security_event === 'login_succeeded')).toHaveLength(2);
    resume(dynamo.pid);
    await request();
    expect(metrics.total('AuditWriteFailed')).toBe(1);
    const userId = tokens.userId;
    const stored = await audit.list({ userId, limit: 50, now: Date.now() });
    expect(stored.events.filter((event) => event.type === 'login_succeeded').length).toBeGreaterThanOrEqual(2);
  }, 30_000);

});
