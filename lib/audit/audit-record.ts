/**
 * One security log line → one audit event: the one home of "what is stored from a security
 * event". Only the fields named here are read, each checked against its one shape; a value that
 * does not fit is left out, never stored as given. Pure, so the mapping is unit-tested alone.
 */
import { CLIENT_ID_PATTERN } from '../oauth/client-secret';
import type { AuditDetails, AuditEvent, AuditEventType } from './audit-event';

/** Where the request came from, for events whose log line does not say (the invocation knows). */
export interface RequestOrigin {
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  /** The caller's session, on routes behind the authorizer. */
  readonly sessionId?: string | undefined;
}

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,1023}$/;
const AMR = /^[a-z]{1,16}( [a-z]{1,16}){0,7}$/;
const CHANGE = /^[a-z_]{1,32}$/;
/** Up to 16 role names as the contract spells them, space-separated; empty for none. */
const ROLES = /^(|[a-z][a-z0-9_-]{0,31}( [a-z][a-z0-9_-]{0,31}){0,15})$/;
const MAX_USER_AGENT = 256;
/** An IPv4 or IPv6 address as API Gateway reports it. */
const IP = /^[0-9A-Fa-f:.]{2,45}$/;

const METHODS = new Set(['password', 'totp', 'recovery_code', 'passkey']);
const STAGES = new Set(['login', 'confirm', 'disable', 'reauthenticate']);
const DEVICE_TYPES = new Set(['singleDevice', 'multiDevice']);

const stringMatching = (value: unknown, pattern: RegExp): string | undefined => (typeof value === 'string' && pattern.test(value) ? value : undefined);
const oneOf = <T extends string>(value: unknown, allowed: ReadonlySet<string>): T | undefined => (typeof value === 'string' && allowed.has(value) ? (value as T) : undefined);
const count = (value: unknown): number | undefined => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined);
/** Printable ASCII only, cut to length: a user agent is what the client says, and shown back to the user. */
const userAgentOf = (value: unknown): string | undefined => (typeof value === 'string' && value ? value.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_USER_AGENT) : undefined);

/** The details of a log line's fields, each from the closed list (AuditDetails) and of its shape. */
export function auditDetailsOf(fields: Readonly<Record<string, unknown>>): AuditDetails {
  const details: Record<string, unknown> = {
    method: oneOf(fields.method, METHODS),
    stage: oneOf(fields.stage, STAGES),
    amr: stringMatching(fields.amr, AMR),
    credential_id: stringMatching(fields.credentialId, CREDENTIAL_ID),
    device_type: oneOf(fields.deviceType, DEVICE_TYPES),
    sessions_ended: count(fields.sessionsEnded),
    recovery_codes_remaining: count(fields.remaining),
    change: stringMatching(fields.change, CHANGE),
    factor_removed: typeof fields.factorRemoved === 'boolean' ? fields.factorRemoved : undefined,
    roles_before: stringMatching(fields.before, ROLES),
    roles_after: stringMatching(fields.after, ROLES),
    client_id: stringMatching(fields.clientId, CLIENT_ID_PATTERN),
  };
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined)) as AuditDetails;
}

/**
 * The audit event of a security log line, or undefined when it names no account (a failed login
 * for an unknown email is in the log and the LoginFailed metric, and belongs to no one's trail).
 */
export function toAuditEvent(
  type: AuditEventType,
  fields: Readonly<Record<string, unknown>>,
  origin: RequestOrigin,
  made: { readonly id: string; readonly time: number },
): AuditEvent | undefined {
  const userId = stringMatching(fields.userId, ID);
  if (userId === undefined) return undefined;
  const actorId = stringMatching(fields.actorId, ID);
  // The request's session is the admin's on an admin action: not a session of this account.
  const sessionId = stringMatching(fields.sessionId, ID) ?? (actorId === undefined ? stringMatching(origin.sessionId, ID) : undefined);
  const ip = stringMatching(fields.ip, IP) ?? stringMatching(origin.ip, IP);
  const userAgent = userAgentOf(fields.userAgent) ?? userAgentOf(origin.userAgent);
  return {
    id: made.id,
    time: made.time,
    type,
    userId,
    ...(actorId === undefined ? {} : { actorId }),
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(ip === undefined ? {} : { ip }),
    ...(userAgent === undefined ? {} : { userAgent }),
    details: auditDetailsOf(fields),
  };
}
