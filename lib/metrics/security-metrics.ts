import type { Logger, SecurityEvent } from '../core/logger';
import type { MetricName } from './names';

/** The security events that are also counters: one home for "which log line is which metric". */
/** Counters without dimensions. */
export type PlainMetricName = Exclude<MetricName, 'AuthorizerDenied'>;

export const METRIC_OF_SECURITY_EVENT: Partial<Record<SecurityEvent, PlainMetricName>> = {
  login_failed: 'LoginFailed',
  login_throttled: 'LoginThrottled',
  refresh_token_reuse: 'RefreshTokenReuse',
  mfa_failed: 'MfaFailed',
  password_reset: 'PasswordReset',
  account_deleted: 'AccountDeleted',
  email_send_failed: 'EmailSendFailed',
  email_abandoned: 'EmailAbandoned',
};

/** A logger whose security events are also counted, so no domain code names a metric twice. */
export function countingSecurityEvents<L extends Logger>(logger: L, count: (name: PlainMetricName) => void): L {
  const wrap = (base: Logger): Logger => ({
    ...base,
    security(event, fields) {
      base.security(event, fields);
      const metric = METRIC_OF_SECURITY_EVENT[event];
      if (metric) count(metric);
    },
    child: (fields) => wrap(base.child(fields)),
  });
  return { ...logger, ...wrap(logger) };
}
