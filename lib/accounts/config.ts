import { readBoolean, readInteger, type Env } from '../core/settings';

/** LOGIN_MAX_FAILURES within LOGIN_LOCKOUT_SECONDS lock an account's logins for a while. */
export interface AttemptLimitsConfig {
  readonly maxAttempts: number;
  readonly windowSeconds: number;
}

export function loadAttemptLimits(env: Env): AttemptLimitsConfig {
  return Object.freeze({
    maxAttempts: readInteger(env, 'LOGIN_MAX_FAILURES', 1, 1000),
    windowSeconds: readInteger(env, 'LOGIN_LOCKOUT_SECONDS', 1, 86_400),
  });
}

export function loadLoginPolicy(env: Env): { readonly requireVerifiedEmail: boolean } {
  return Object.freeze({ requireVerifiedEmail: readBoolean(env, 'REQUIRE_VERIFIED_EMAIL') });
}
