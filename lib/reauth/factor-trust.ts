/**
 * When a sign-in with a second factor counts as multi-factor (`mfa` in its `amr`).
 *
 * A factor records how it was enrolled (when, and the `amr` of the enrolling session). One that a
 * session without `mfa` enrolled less than REAUTH_MAX_AGE_SECONDS ago is on probation: signing in
 * with it proves that factor (`otp`, `hwk`...) but not `mfa`, so AUTHORIZER_REQUIRED_AMR=mfa
 * refuses the session. Otherwise whoever learnt a password could enrol their own factor and sign
 * straight into the APIs that demand a second factor. The probation ends on its own: an account's
 * first factor can only ever be vouched for by the password (and the verified mailbox, which gets
 * the factor notice with its "this wasn't me" link). README, "Re-authentication", states the
 * residual risk.
 */
import type { RecentSignInPolicy } from './recent-sign-in';

/** How a factor was enrolled; absent on factors enrolled before this was recorded (trusted). */
export interface FactorEnrolment {
  /** Epoch ms. */
  readonly at: number;
  /** The `amr` of the session that enrolled it. */
  readonly amr: readonly string[];
}

/** True when signing in with this factor counts as `mfa` at `now` (epoch ms); the probation's last millisecond does not. */
/** (A sign-in proof carries the answer: lib/sessions/sign-in.ts leaves `mfa` out of the `amr` of a factor that does not count.) */
export function countsAsMfa(enrolment: FactorEnrolment | undefined, now: number, policy: RecentSignInPolicy): boolean {
  if (!enrolment || enrolment.amr.includes('mfa')) return true;
  return now - enrolment.at >= policy.maxAgeSeconds * 1000;
}
