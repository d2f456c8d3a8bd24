import type { AuditEvent, AuditEventType } from './audit-event';

/** Where a listing stopped: the last event's keys (its user, time and id). */
export interface AuditPosition {
  readonly userId: string;
  readonly time: number;
  readonly id: string;
}

/** Which events a listing reads, newest first: one user's, one type's, both, or every event. */
export interface AuditQuery {
  readonly userId?: string | undefined;
  readonly type?: AuditEventType | undefined;
  readonly after?: AuditPosition | undefined;
  readonly limit: number;
  /** Epoch ms: events past their retention are never returned (the table's TTL deletes late). */
  readonly now: number;
}

export interface AuditPage {
  readonly events: AuditEvent[];
  /** Set when there may be more; a page may be shorter than `limit` (even empty) and still have one. */
  readonly next?: AuditPosition | undefined;
}

/** The audit trail's storage: append, list newest first, and remove a deleted account's events. */
export interface AuditStore {
  /** Stores one event, kept until `expiresAt` (epoch ms). */
  put(event: AuditEvent, expiresAt: number): Promise<void>;
  list(query: AuditQuery): Promise<AuditPage>;
  /** Deletes the user's events that `keep` does not keep; the number deleted. Idempotent. */
  purgeUser(userId: string, keep: (event: AuditEvent) => boolean): Promise<number>;
}

/** Newest first: later time, then the larger id (the order of the table's sort key). */
export const newestFirst = (a: Pick<AuditEvent, 'time' | 'id'>, b: Pick<AuditEvent, 'time' | 'id'>): number => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
