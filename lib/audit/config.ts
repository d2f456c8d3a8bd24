import { readInteger, readRequired, type Env } from '../core/settings';

export interface AuditConfig {
  readonly table: string;
  /** How long an event is kept: AUDIT_RETENTION_DAYS [400], 1 to 3650. */
  readonly retentionDays: number;
}

/** The audit trail's settings: only the functions that record or read events load them. */
export function loadAuditConfig(env: Env): AuditConfig {
  return Object.freeze({
    table: readRequired(env, 'AUDIT_TABLE'),
    retentionDays: readInteger(env, 'AUDIT_RETENTION_DAYS', 1, 3650),
  });
}
