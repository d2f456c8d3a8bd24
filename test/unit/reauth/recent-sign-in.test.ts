import { ReauthenticationRequiredError } from '../../../lib/core/errors';
import { countsAsMfa } from '../../../lib/reauth/factor-trust';
import { amrOf, PASSWORD_PROOF, passkeyProof, secondFactorProof } from '../../../lib/sessions/sign-in';
import { isRecentSignIn, requireRecentSignIn, type SignIn } from '../../../lib/reauth/recent-sign-in';
import { frozenClock } from '../../support/fixtures';

const POLICY = { maxAgeSeconds: 300 };
// 12:00:00.999: the milliseconds must not make a sign-in of 12:00:00 older than it is.
const clock = frozenClock(Date.UTC(2026, 0, 1, 12, 0, 0) + 999);
const nowSeconds = () => Math.floor(clock.now() / 1000);
const signedIn = (secondsAgo: number, amr: readonly string[] = ['pwd']): SignIn => ({ authTime: nowSeconds() - secondsAgo, amr });
const refusal = (act: () => void) => {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('the recent sign-in rule (REAUTH_MAX_AGE_SECONDS)', () => {
  it('passes a sign-in exactly REAUTH_MAX_AGE_SECONDS old, refuses one a second older with reauthentication_required', () => {
    expect(isRecentSignIn(signedIn(300), clock.now(), POLICY)).toBe(true);
    expect(isRecentSignIn(signedIn(301), clock.now(), POLICY)).toBe(false);
    expect(() => requireRecentSignIn(signedIn(300), clock.now(), POLICY, { kind: 'other' })).not.toThrow();
    const error = refusal(() => requireRecentSignIn(signedIn(301), clock.now(), POLICY, { kind: 'other' }));
    expect(error).toBeInstanceOf(ReauthenticationRequiredError);
    expect(error).toMatchObject({ code: 'reauthentication_required', status: 403 });
  });

  it('moves with the clock: the same sign-in passes, then is refused once the clock passes the boundary', () => {
    const at = signedIn(0);
    clock.advance(300_000);
    expect(isRecentSignIn(at, clock.now(), POLICY)).toBe(true);
    clock.advance(1_000);
    expect(isRecentSignIn(at, clock.now(), POLICY)).toBe(false);
    clock.advance(-301_000);
  });

  it('refuses a token without auth_time (issued before tokens carried it)', () => {
    expect(refusal(() => requireRecentSignIn({ authTime: undefined, amr: ['pwd', 'otp', 'mfa'] }, clock.now(), POLICY, { kind: 'other' }))).toMatchObject({ code: 'reauthentication_required' });
  });

  it('passes a sign-in whose auth_time is a little ahead of this clock (another function\'s clock)', () => {
    expect(isRecentSignIn(signedIn(-2), clock.now(), POLICY)).toBe(true);
  });

  it('adding a factor to an account that has none: a recent password-only sign-in is enough', () => {
    expect(() => requireRecentSignIn(signedIn(10), clock.now(), POLICY, { kind: 'adds_factor', accountHasFactor: false })).not.toThrow();
  });

  it('adding a factor to an account that has one needs a recent sign-in that used a factor: password-only is reauthentication_required', () => {
    const change = { kind: 'adds_factor', accountHasFactor: true } as const;
    expect(refusal(() => requireRecentSignIn(signedIn(10, ['pwd']), clock.now(), POLICY, change))).toMatchObject({ code: 'reauthentication_required' });
    // A factor on probation proves itself without mfa: it still vouches for the next one.
    expect(() => requireRecentSignIn(signedIn(10, ['pwd', 'otp']), clock.now(), POLICY, change)).not.toThrow();
    expect(() => requireRecentSignIn(signedIn(10, ['pwd', 'rc']), clock.now(), POLICY, change)).not.toThrow();
    expect(() => requireRecentSignIn(signedIn(10, ['hwk', 'user']), clock.now(), POLICY, change)).not.toThrow();
    expect(() => requireRecentSignIn(signedIn(10, ['pwd', 'otp', 'mfa']), clock.now(), POLICY, change)).not.toThrow();
    expect(() => requireRecentSignIn(signedIn(10, ['hwk', 'user', 'mfa']), clock.now(), POLICY, change)).not.toThrow();
    // A sign-in with a factor that is too old is refused all the same.
    expect(refusal(() => requireRecentSignIn(signedIn(301, ['pwd', 'otp', 'mfa']), clock.now(), POLICY, change))).toMatchObject({ code: 'reauthentication_required' });
  });
});

describe('factor trust: when a sign-in with a factor counts as mfa', () => {
  const enrolledAgo = (seconds: number, amr: readonly string[]) => ({ at: clock.now() - seconds * 1000, amr });

  it('a factor enrolled by a password-only session is on probation for exactly REAUTH_MAX_AGE_SECONDS', () => {
    expect(countsAsMfa(enrolledAgo(0, ['pwd']), clock.now(), POLICY)).toBe(false);
    expect(countsAsMfa({ at: clock.now() - 300_000 + 1, amr: ['pwd'] }, clock.now(), POLICY)).toBe(false);
    expect(countsAsMfa(enrolledAgo(300, ['pwd']), clock.now(), POLICY)).toBe(true);
  });

  it('a factor enrolled by a session that used a second factor counts at once; one enrolled before this was recorded counts', () => {
    expect(countsAsMfa(enrolledAgo(0, ['hwk', 'user', 'mfa']), clock.now(), POLICY)).toBe(true);
    expect(countsAsMfa(undefined, clock.now(), POLICY)).toBe(true);
  });

  it('a sign-in with a factor on probation proves the factor but not mfa', () => {
    const counts = (seconds: number, amr: readonly string[]) => countsAsMfa(enrolledAgo(seconds, amr), clock.now(), POLICY);
    expect(amrOf([PASSWORD_PROOF, secondFactorProof('totp', counts(10, ['pwd']))])).toEqual(['pwd', 'otp']);
    expect(amrOf([passkeyProof('p', counts(10, ['pwd']))])).toEqual(['hwk', 'user']);
    expect(amrOf([PASSWORD_PROOF, secondFactorProof('recovery_code', counts(10, ['pwd', 'otp']))])).toEqual(['pwd', 'rc']);
    expect(amrOf([PASSWORD_PROOF, secondFactorProof('totp', counts(300, ['pwd']))])).toEqual(['pwd', 'otp', 'mfa']);
  });
});
