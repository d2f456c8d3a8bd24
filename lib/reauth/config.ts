import { readInteger, type Env } from '../core/settings';

/** REAUTH_MAX_AGE_SECONDS: how recent a sign-in must be for a sensitive change, and how long a factor enrolled without a second factor stays on probation. */
export interface ReauthPolicy {
  readonly maxAgeSeconds: number;
}

export function loadReauthPolicy(env: Env): ReauthPolicy {
  return Object.freeze({ maxAgeSeconds: readInteger(env, 'REAUTH_MAX_AGE_SECONDS', 1, 86_400) });
}
