/**
 * Structured JSON logs, one line per event. Callers pass named fields, never a token, password,
 * hash or key; `redact` below is a second line of defence for field names that suggest one.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A security event: a distinct, queryable log line (`"security_event": name`). */
  security(event: SecurityEvent, fields: Record<string, unknown>): void;
  /** A logger that adds these fields to every line (request id...). */
  child(fields: Record<string, unknown>): Logger;
}

export type SecurityEvent =
  | 'login_succeeded'
  | 'login_failed'
  | 'login_throttled'
  | 'refresh_token_reuse'
  | 'refresh_on_revoked_session'
  | 'logout'
  | 'logout_all'
  | 'csrf_rejected'
  | 'session_limit_reached'
  | 'password_rehashed'
  | 'email_verified'
  | 'email_send_failed'
  | 'email_abandoned'
  | 'password_reset_requested'
  | 'password_reset'
  | 'password_changed'
  | 'account_deleted'
  | 'mfa_enabled'
  | 'mfa_disabled'
  | 'mfa_failed'
  | 'recovery_code_used'
  | 'recovery_codes_replaced'
  | 'passkey_added'
  | 'passkey_removed'
  | 'passkey_counter_regressed'
  | 'reauthenticated'
  | 'factor_reported'
  | 'account_disabled'
  | 'account_enabled'
  | 'sessions_ended_by_admin'
  | 'roles_changed'
  | 'client_created'
  | 'client_deleted'
  | 'client_secret_rotated';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const SECRET_FIELD = /token|password|secret|hash|key|authorization|cookie/i;

/** A plain JSON-lines logger: the authorizer's (kept free of extra dependencies) and the tests'. */
export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Logger {
  const emit = (lineLevel: Exclude<LogLevel, 'silent'>, message: string, fields: Record<string, unknown> = {}) => {
    if (RANK[lineLevel] < RANK[level]) return;
    write(JSON.stringify({ level: lineLevel, time: new Date().toISOString(), message, ...base, ...redact(fields) }));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    security: (event, fields) => emit('warn', `security event: ${event}`, { security_event: event, ...fields }),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

/** Replaces Error values by their description and fields whose name suggests a secret by a marker. */
export function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof Error) result[name] = describeError(value);
    else result[name] = SECRET_FIELD.test(name) ? '[redacted]' : value;
  }
  return result;
}

/**
 * Name, message and stack of an error and its causes, with an AWS SDK error's HTTP status, request
 * id and attempts, so an operator can tell a timeout from a throttle. SDK errors carry no request
 * payloads here; provider errors that may quote an address are kept by name only (EmailSendError).
 */
function describeError(error: Error): Record<string, unknown> {
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number } }).$metadata;
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(metadata ? { httpStatusCode: metadata.httpStatusCode, awsRequestId: metadata.requestId, attempts: metadata.attempts } : {}),
    ...(error.cause instanceof Error ? { cause: describeError(error.cause) } : {}),
  };
}

export function parseLogLevel(raw: string | undefined): LogLevel {
  const value = raw?.trim().toLowerCase();
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' || value === 'silent' ? value : 'info';
}
