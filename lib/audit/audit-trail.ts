/**
 * The audit trail's writer, and how a security log line reaches it.
 *
 * Domain code only logs: `logger.security('password_changed', {...})`. The functions' logger
 * (lib/compose/observability.ts) hands every security event to the audit scope of the invocation
 * in progress, an AsyncLocalStorage like the deadline's (lib/core/deadline.ts). The HTTP wrapper
 * (lib/compose/runtime.ts) opens that scope with the function's AuditTrail, which exists only
 * where the declaration lists the `auditTrail` part: so only those functions need PutItem on the
 * audit table. The write starts at once and the wrapper waits for it (each bounded by
 * AUDIT_WRITE_BUDGET_MS) before it answers: Lambda freezes the process after the answer.
 *
 * A write never fails the request: a failed or abandoned one is logged and counted
 * (AuditWriteFailed), and the request answers as it would have.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import { deadlineIn, withDeadline } from '../core/deadline';
import type { Logger } from '../core/logger';
import { isAuditedEvent, type AuditEventType } from './audit-event';
import { toAuditEvent, type RequestOrigin } from './audit-record';
import type { AuditStore } from './audit-store';

/**
 * How long one audit write may take before it is given up. DynamoDB answers in milliseconds;
 * waiting longer would only make a hung audit table slow every sign-in.
 */
export const AUDIT_WRITE_BUDGET_MS = 1_000;

const DAY_MS = 86_400_000;
const BRAND: unique symbol = Symbol.for('jwt-auth.auditTrail');

export interface AuditTrail {
  readonly [BRAND]: true;
  /** Stores the event of a security log line; never rejects (a failure is logged and counted). */
  record(type: AuditEventType, fields: Readonly<Record<string, unknown>>, origin: RequestOrigin, logger: Logger): Promise<void>;
}

export interface AuditTrailDeps {
  readonly store: AuditStore;
  readonly clock: Clock;
  readonly retentionDays: number;
  /** Counts a miss (the metric AuditWriteFailed). */
  readonly countMiss: () => void;
}

/** The writer over a store: one PutItem per event, bounded, with its TTL. */
export function createAuditTrail({ store, clock, retentionDays, countMiss }: AuditTrailDeps): AuditTrail {
  return {
    [BRAND]: true,
    async record(type, fields, origin, logger) {
      const time = clock.now();
      const event = toAuditEvent(type, fields, origin, { id: randomUUID(), time });
      if (!event) return;
      try {
        await withDeadline(deadlineIn(AUDIT_WRITE_BUDGET_MS), () => store.put(event, time + retentionDays * DAY_MS));
      } catch (error) {
        countMiss();
        logger.error('audit write failed: the security event is in this log only', { securityEvent: type, userId: event.userId, error });
      }
    },
  };
}

/** True for a built AuditTrail (the HTTP wrapper finds it among a function's parts). */
export const isAuditTrail = (value: unknown): value is AuditTrail => typeof value === 'object' && value !== null && (value as Partial<AuditTrail>)[BRAND] === true;

/** The audit events of one invocation: started as they are logged, waited for before the answer. */
export interface AuditScope {
  record(type: string, fields: Readonly<Record<string, unknown>>): void;
  /** Resolves when every write started in this scope has finished or been given up. */
  settle(): Promise<void>;
}

export interface AuditScopeOptions {
  /** Undefined when the function does not declare the audit part: an audited event is then a miss. */
  readonly trail: AuditTrail | undefined;
  readonly origin: RequestOrigin;
  readonly logger: Logger;
  readonly countMiss: () => void;
}

export function openAuditScope({ trail, origin, logger, countMiss }: AuditScopeOptions): AuditScope {
  const pending: Promise<void>[] = [];
  return {
    record(type, fields) {
      if (!isAuditedEvent(type)) return;
      if (!trail) {
        // A declaration that lacks the part: the event is still logged; the miss shows on the metric.
        countMiss();
        logger.error('security event not audited: this function does not declare the auditTrail part', { securityEvent: type });
        return;
      }
      pending.push(trail.record(type, fields, origin, logger));
    },
    async settle() {
      while (pending.length) await Promise.all(pending.splice(0));
    },
  };
}

const current = new AsyncLocalStorage<AuditScope>();

/** Runs `work` with its security events going to `scope`. */
export const withAuditScope = <T>(scope: AuditScope, work: () => T): T => current.run(scope, work);

/**
 * A logger whose security events also go to the audit scope in progress (none outside an HTTP
 * invocation: a scheduled job, a test): the one place a log line becomes an audit record.
 */
export function auditingSecurityEvents<L extends Logger>(logger: L): L {
  const wrap = (base: Logger): Logger => ({
    ...base,
    security(event, fields) {
      base.security(event, fields);
      current.getStore()?.record(event, fields);
    },
    child: (fields) => wrap(base.child(fields)),
  });
  return { ...logger, ...wrap(logger) };
}
