/**
 * The service's metrics: a closed set of counters, and the only dimensions they may carry. Every
 * counter has the `service` dimension; `AuthorizerDenied` also has `Reason`, a short code from a
 * closed list. Nothing here can hold a user id, an email or an address: dimensions are for
 * aggregation, and a high-cardinality one would create a metric per user (and cost per metric).
 */

export const METRIC_NAMES = [
  'LoginSucceeded',
  'LoginFailed',
  'LoginThrottled',
  'RefreshSucceeded',
  'RefreshTokenReuse',
  'SessionRevoked',
  'MfaFailed',
  'PasswordReset',
  'AccountDeleted',
  'EmailSendFailed',
  'EmailAbandoned',
  'AuthorizerDenied',
  'AuthorizerAllowed',
  /** A security event that could not be stored in the audit trail (lib/audit/audit-trail.ts); it is still logged. */
  'AuditWriteFailed',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** Why the authorizer refused a request, as a metric dimension value. */
export const AUTHORIZER_DENY_REASONS = [
  'no_token',
  'malformed',
  'unknown_key',
  'bad_signature',
  'expired',
  'invalid_claims',
  'session_ended',
  /** A valid token without the permission of the route it called. */
  'insufficient_scope',
  'error',
] as const;

export type AuthorizerDenyReason = (typeof AUTHORIZER_DENY_REASONS)[number];

/** The dimension every metric carries; its value is the service name (as Powertools names it). */
export const SERVICE_DIMENSION = 'service';

/** The one extra dimension, only on `AuthorizerDenied`. */
export const REASON_DIMENSION = 'Reason';

export type ReasonDimensions = { readonly Reason: AuthorizerDenyReason };

/** The extra dimensions a metric takes: `AuthorizerDenied` needs a reason, the others take none. */
export type DimensionsOf<Name extends MetricName> = Name extends 'AuthorizerDenied' ? ReasonDimensions : undefined;

/** The arguments after the metric name: `[dimensions]` for `AuthorizerDenied`, nothing otherwise. */
export type DimensionArgs<Name extends MetricName> = DimensionsOf<Name> extends undefined ? [] : [DimensionsOf<Name>];

/** The CloudWatch namespace of one deployment: `<service>/<stage>` (infra/monitoring.js uses the same rule). */
export function metricsNamespace(service: string, stage: string): string {
  return `${service}/${stage}`;
}
