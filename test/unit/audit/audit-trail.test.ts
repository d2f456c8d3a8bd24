import { auditingSecurityEvents, AUDIT_WRITE_BUDGET_MS, createAuditTrail, openAuditScope, withAuditScope } from '../../../lib/audit/audit-trail';
import type { AuditEvent } from '../../../lib/audit/audit-event';
import type { AuditStore } from '../../../lib/audit/audit-store';
import { createMemoryAuditStore } from '../../../lib/audit/memory-audit-store';
import { currentDeadline, withDeadline } from '../../../lib/core/deadline';
import { capturingLogger, frozenClock } from '../../support/fixtures';

const DAY_MS = 86_400_000;

function setup(store: AuditStore = createMemoryAuditStore()) {
  const clock = frozenClock(Date.UTC(2026, 11, 5));
  const log = capturingLogger();
  let misses = 0;
  const trail = createAuditTrail({ store, clock, retentionDays: 400, countMiss: () => misses++ });
  const logger = auditingSecurityEvents(log.logger);
  const scope = openAuditScope({ trail, origin: { ip: '203.0.113.9', userAgent: 'Test/1.0' }, logger, countMiss: () => misses++ });
  return { clock, log, trail, logger, scope, store, misses: () => misses };
}

describe('audit trail: a security log line is stored once, through the scope of the invocation', () => {
  it('stores an audited security event with its retention, and still writes the log line', async () => {
    // Prepare
    const store = createMemoryAuditStore();
    const { logger, scope, clock, log } = setup(store);

    // Act
    await withAuditScope(scope, async () => logger.child({ requestId: 'r-1' }).security('password_changed', { userId: 'user-1', sessionId: 's-1' }));
    await scope.settle();

    // Assess
    const [item] = [...store.items.values()];
    expect(item?.event).toMatchObject({ type: 'password_changed', userId: 'user-1', sessionId: 's-1', ip: '203.0.113.9', userAgent: 'Test/1.0', time: clock.now() });
    expect(item?.expiresAt).toBe(clock.now() + 400 * DAY_MS);
    expect(log.lines).toEqual([expect.objectContaining({ security_event: 'password_changed', requestId: 'r-1' })]);
  });

  it('stores nothing for an operational security event, or outside any scope (a scheduled job, a test)', async () => {
    const store = createMemoryAuditStore();
    const { logger, scope } = setup(store);
    await withAuditScope(scope, async () => logger.security('email_send_failed', { userId: 'user-1' }));
    logger.security('password_changed', { userId: 'user-1' });
    await scope.settle();
    expect(store.items.size).toBe(0);
  });

  it('never fails the work it records: a failed write is logged and counted, and settle resolves', async () => {
    // Prepare
    const failing: AuditStore = { ...createMemoryAuditStore(), put: () => Promise.reject(new Error('ProvisionedThroughputExceededException')) };
    const { logger, scope, log, misses } = setup(failing);

    // Act
    const answer = await withAuditScope(scope, async () => {
      logger.security('logout_all', { userId: 'user-1', sessionsEnded: 2 });
      return 'answered';
    });
    await scope.settle();

    // Assess
    expect(answer).toBe('answered');
    expect(misses()).toBe(1);
    expect(log.lines).toEqual([
      expect.objectContaining({ security_event: 'logout_all' }),
      expect.objectContaining({ level: 'error', message: expect.stringContaining('audit write failed'), securityEvent: 'logout_all' }),
    ]);
  });

  it('gives a write that does not answer up at its budget (the deadline every AWS call keeps to)', async () => {
    // Prepare: a store that waits until the deadline of the work in progress aborts it, as the SDK's handler does.
    let deadlineSeen: number | undefined;
    const hanging: AuditStore = {
      ...createMemoryAuditStore(),
      put: () =>
        new Promise<void>((_, reject) => {
          deadlineSeen = currentDeadline();
          setTimeout(() => reject(new Error('AbortError')), Math.max(0, deadlineSeen! - Date.now()));
        }),
    };
    const { logger, scope, misses } = setup(hanging);
    const started = Date.now();

    // Act
    await withDeadline(Date.now() + 60_000, () => withAuditScope(scope, async () => logger.security('password_reset', { userId: 'user-1' })));
    await scope.settle();

    // Assess
    expect(deadlineSeen! - started).toBeLessThanOrEqual(AUDIT_WRITE_BUDGET_MS + 50);
    expect(Date.now() - started).toBeLessThan(AUDIT_WRITE_BUDGET_MS + 500);
    expect(misses()).toBe(1);
  });

  it('counts an audited event in a function that does not declare the audit part as a miss, and logs it', async () => {
    const log = capturingLogger();
    let misses = 0;
    const logger = auditingSecurityEvents(log.logger);
    const scope = openAuditScope({ trail: undefined, origin: {}, logger, countMiss: () => misses++ });
    await withAuditScope(scope, async () => logger.security('mfa_enabled', { userId: 'user-1' }));
    await scope.settle();
    expect(misses).toBe(1);
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', securityEvent: 'mfa_enabled' });
  });

  it('keeps each request\'s events in its own scope, however requests interleave', async () => {
    const store = createMemoryAuditStore();
    const { logger, trail } = setup(store);
    const scopeOf = (ip: string) => openAuditScope({ trail, origin: { ip }, logger, countMiss: () => undefined });
    const [a, b] = [scopeOf('198.51.100.1'), scopeOf('198.51.100.2')];
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all([
      withAuditScope(a, async () => (await pause(), logger.security('logout', { userId: 'user-a' }))),
      withAuditScope(b, async () => logger.security('logout', { userId: 'user-b' })),
    ]);
    await Promise.all([a.settle(), b.settle()]);
    const stored = [...store.items.values()].map(({ event }: { event: AuditEvent }) => [event.userId, event.ip]).sort();
    expect(stored).toEqual([['user-a', '198.51.100.1'], ['user-b', '198.51.100.2']]);
  });
});
