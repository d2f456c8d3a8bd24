/**
 * The one rule for sensitive changes: "has the caller signed in recently enough?".
 *
 * Sensitive changes are TOTP setup, confirm and disable, new recovery codes, adding or removing a
 * passkey, a password change and deleting the account. Each passes when the access token's
 * `auth_time` (the session's last real sign-in or re-authentication) is at most
 * REAUTH_MAX_AGE_SECONDS old, or when its body carries the password (password change, DELETE /me,
 * TOTP disable, new recovery codes: their password is checked, under the login throttle, by the
 * domain function itself, so those four never call this). Otherwise the answer is
 * `403 reauthentication_required`, and the client calls POST /auth/reauthenticate.
 *
 * Adding a factor to an account that already has one (TOTP or a passkey) also needs a sign-in
 * that used one of its factors: an existing factor vouches for the new one, so a stolen password
 * alone can never add a second way in. A factor still on probation (lib/reauth/factor-trust.ts)
 * vouches too: it was enrolled through this same rule, and its probation only keeps sign-ins with
 * it from counting as `mfa` for the MFA authorizer, so a person can enrol TOTP and then a passkey.
 *
 * Callers run their checks in the contract's order: the access token (the authorizer), a verified
 * email where a factor is added, this rule, then the account's state (409 and the like).
 */
import { ReauthenticationRequiredError } from '../core/errors';

/** What the access token says about the session's last sign-in. */
export interface SignIn {
  /** `auth_time`, epoch seconds; undefined for a token issued before tokens carried it (never recent). */
  readonly authTime: number | undefined;
  /** RFC 8176 methods of that sign-in. */
  readonly amr: readonly string[];
}

export interface RecentSignInPolicy {
  /** REAUTH_MAX_AGE_SECONDS. */
  readonly maxAgeSeconds: number;
}

/** What the change does, for the extra rule on adding a factor. */
export type SensitiveChange =
  | { readonly kind: 'adds_factor'; /** TOTP on or at least one passkey, before this change. */ readonly accountHasFactor: boolean }
  | { readonly kind: 'other' };

/** RFC 8176 methods that prove a second factor: TOTP, a passkey (hardware or software key), a recovery code. */
const SECOND_FACTOR_METHODS: readonly string[] = ['mfa', 'otp', 'hwk', 'swk', 'rc'];

/** True when the sign-in used a second factor, whether or not it counts as `mfa` yet. */
export const usedSecondFactor = (amr: readonly string[]): boolean => amr.some((method) => SECOND_FACTOR_METHODS.includes(method));

/** True when `auth_time` is at most `maxAgeSeconds` before `now` (epoch ms); exactly that old still counts. */
export function isRecentSignIn(signIn: Pick<SignIn, 'authTime'>, now: number, policy: RecentSignInPolicy): boolean {
  return signIn.authTime !== undefined && Math.floor(now / 1000) - signIn.authTime <= policy.maxAgeSeconds;
}

/** Throws ReauthenticationRequiredError unless the sign-in allows the change. */
export function requireRecentSignIn(signIn: SignIn, now: number, policy: RecentSignInPolicy, change: SensitiveChange): void {
  if (!isRecentSignIn(signIn, now, policy)) throw new ReauthenticationRequiredError();
  if (change.kind === 'adds_factor' && change.accountHasFactor && !usedSecondFactor(signIn.amr)) {
    throw new ReauthenticationRequiredError('Sign in again with your existing second factor (POST /auth/reauthenticate) before adding another one.');
  }
}
