import { readBoolean, type Env } from '../core/settings';

/**
 * ADMIN_REQUIRE_MFA [true]: the admin API also needs `mfa` in the token's `amr`. An admin's
 * password alone (phished, reused, guessed) would otherwise be enough to disable, sign out or
 * delete every user; `false` is for a stage whose admins cannot use a second factor.
 */
export interface AdminPolicy {
  readonly requireMfa: boolean;
}

export function loadAdminPolicy(env: Env): AdminPolicy {
  return Object.freeze({ requireMfa: readBoolean(env, 'ADMIN_REQUIRE_MFA') });
}
