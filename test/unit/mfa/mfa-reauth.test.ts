import { EmailNotVerifiedError, InvalidCredentialsError, InvalidMfaCodeError, InvalidRequestError, ReauthenticationRequiredError, TooManyAttemptsError } from '../../../lib/core/errors';
import { PASSWORD } from '../../support/fixtures';
import { claimsOf, createMfaKit, type MfaKit } from '../../support/mfa-kit';

const WINDOW_MS = 300_000;

// TOTP as a sensitive change (memory stores): the recent sign-in rule, a verified email, the
// throttle at confirm, factor notices, the probation of a new enrolment, disable with a recovery
// code, and the password proof of a re-authentication.
describe('TOTP and re-authentication (memory stores)', () => {
  let kit: MfaKit;
  beforeEach(async () => {
    kit = await createMfaKit('memory');
  });
  const wrongCodeFor = (secret: string) => (kit.code(secret) === '000000' ? '111111' : '000000');
  const signedInAgo = (seconds: number, amr: readonly string[] = ['pwd']) => ({ authTime: Math.floor(kit.clock.now() / 1000) - seconds, amr });

  describe('adding TOTP', () => {
    it('refuses setup and confirm on an account whose email is not verified: email_not_verified, before the sign-in is looked at', async () => {
      const { userId } = await kit.register(undefined, { verified: false });
      await expect(kit.setup(userId)).rejects.toThrow(EmailNotVerifiedError);
      await expect(kit.setup(userId, signedInAgo(3600))).rejects.toMatchObject({ code: 'email_not_verified', status: 403 });
      await expect(kit.confirm(userId, '123456')).rejects.toMatchObject({ code: 'email_not_verified' });
    });

    it('needs a sign-in at most REAUTH_MAX_AGE_SECONDS old: 300 s passes, 301 s is reauthentication_required', async () => {
      const { userId } = await kit.register();
      await expect(kit.setup(userId, signedInAgo(301))).rejects.toThrow(ReauthenticationRequiredError);
      const { secret } = await kit.setup(userId, signedInAgo(300));
      await expect(kit.confirm(userId, kit.code(secret), signedInAgo(301))).rejects.toMatchObject({ code: 'reauthentication_required', status: 403 });
      await expect(kit.confirm(userId, kit.code(secret), signedInAgo(300))).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
    });

    it('on an account with a passkey, needs a sign-in that used a second factor', async () => {
      const { userId } = await kit.register();
      kit.givePasskey(userId);
      await expect(kit.setup(userId, kit.recent(['pwd']))).rejects.toMatchObject({ code: 'reauthentication_required' });
      const { secret } = await kit.setup(userId, kit.recent(['hwk', 'user', 'mfa']));
      await expect(kit.confirm(userId, kit.code(secret), kit.recent(['pwd']))).rejects.toMatchObject({ code: 'reauthentication_required' });
      await expect(kit.confirm(userId, kit.code(secret), kit.recent(['hwk', 'user', 'mfa']))).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
    });

    it('counts wrong codes at confirm against the login throttle: after LOGIN_MAX_FAILURES, 429 with Retry-After, even for the right code', async () => {
      const { email, userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      for (let attempt = 0; attempt < 5; attempt++) await expect(kit.confirm(userId, wrongCodeFor(secret))).rejects.toThrow(InvalidMfaCodeError);
      const throttled = await kit.confirm(userId, kit.code(secret)).catch((error: unknown) => error);
      expect(throttled).toBeInstanceOf(TooManyAttemptsError);
      expect(throttled).toMatchObject({ status: 429, headers: { 'Retry-After': expect.stringMatching(/^\d+$/) } });
      // The same count as a login's.
      await expect(kit.login(email)).rejects.toThrow(TooManyAttemptsError);
    });

    it('a right code at confirm takes back its own attempt: four wrong codes and the right one leave room for one more wrong password', async () => {
      const { email, userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      for (let attempt = 0; attempt < 4; attempt++) await expect(kit.confirm(userId, wrongCodeFor(secret))).rejects.toThrow(InvalidMfaCodeError);
      await kit.confirm(userId, kit.code(secret));
      await expect(kit.login(email, 'body', 'not the password')).rejects.toThrow(InvalidCredentialsError);
      await expect(kit.login(email, 'body', 'not the password')).rejects.toThrow(TooManyAttemptsError);
    });

    it('records how TOTP was enrolled and sends a totp_enabled notice naming that enrolment', async () => {
      const { userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      await kit.confirm(userId, kit.code(secret));
      expect(kit.notices).toEqual([{ userId, change: { kind: 'totp_enabled', enrolledAt: kit.clock.now() } }]);
    });
  });

  describe('probation of a new enrolment (the MFA authorizer bypass)', () => {
    it('a login with TOTP enrolled from a password-only sign-in is not mfa until REAUTH_MAX_AGE_SECONDS have passed', async () => {
      const { email, userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      await kit.confirm(userId, kit.code(secret));
      const enrolledAt = kit.clock.now();
      kit.nextStep();
      const early = await kit.verify(await kit.loginForToken(email), { code: kit.code(secret) });
      expect(claimsOf(early.tokens.accessToken).amr).toEqual(['pwd', 'otp']);
      // The last millisecond of the probation: a recovery code (no TOTP step to wait for) proves no mfa either.
      kit.clock.set(enrolledAt + WINDOW_MS - 1);
      const recovery = await kit.verify(await kit.loginForToken(email), { recoveryCode: (await kit.replaceCodes(userId)).recoveryCodes[0]! });
      expect(claimsOf(recovery.tokens.accessToken).amr).toEqual(['pwd', 'rc']);
      kit.clock.set(enrolledAt + WINDOW_MS);
      const later = await kit.verify(await kit.loginForToken(email), { code: kit.code(secret) });
      expect(claimsOf(later.tokens.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    });

    it('TOTP enrolled from a sign-in that used a second factor counts as mfa at once', async () => {
      const { email, userId } = await kit.register();
      kit.givePasskey(userId);
      const withPasskey = kit.recent(['hwk', 'user', 'mfa']);
      const { secret } = await kit.setup(userId, withPasskey);
      await kit.confirm(userId, kit.code(secret), withPasskey);
      kit.nextStep();
      const { tokens } = await kit.verify(await kit.loginForToken(email), { code: kit.code(secret) });
      expect(claimsOf(tokens.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    });
  });

  describe('disable and recovery codes', () => {
    it('disable accepts a recovery code instead of a TOTP code (a lost phone), spends it, and sends a totp_disabled notice', async () => {
      const { email, userId, recoveryCodes } = await kit.enrol();
      await expect(kit.disable(userId, PASSWORD, { recoveryCode: 'aaaaa-bbbbb' })).rejects.toThrow(InvalidMfaCodeError);
      await kit.disable(userId, PASSWORD, { recoveryCode: recoveryCodes[2]!.toUpperCase() });
      expect(kit.log.lines).toContainEqual(expect.objectContaining({ security_event: 'mfa_disabled', userId, method: 'recovery_code' }));
      expect(kit.notices.at(-1)).toEqual({ userId, change: { kind: 'totp_disabled' } });
      expect(claimsOf((await kit.login(email)).accessToken)).toMatchObject({ amr: ['pwd'] });
      // Enrol again from that session.
      const { secret } = await kit.setup(userId);
      await expect(kit.confirm(userId, kit.code(secret))).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
    });

    it('a recovery code already used at login does not disable', async () => {
      const { email, userId, recoveryCodes } = await kit.enrol();
      await kit.verify(await kit.loginForToken(email), { recoveryCode: recoveryCodes[0]! });
      await expect(kit.disable(userId, PASSWORD, { recoveryCode: recoveryCodes[0]! })).rejects.toThrow(InvalidMfaCodeError);
    });

    it('new recovery codes send a recovery_codes_replaced notice naming when they were issued', async () => {
      const { userId } = await kit.enrol();
      await kit.replaceCodes(userId);
      expect(kit.notices.at(-1)).toEqual({ userId, change: { kind: 'recovery_codes_replaced', issuedAt: kit.clock.now() } });
    });
  });

  describe('the password proof of a re-authentication', () => {
    it('with TOTP off the password alone proves ["pwd"]; a code sent anyway is ignored', async () => {
      const { userId } = await kit.register();
      await expect(kit.provePassword(userId, PASSWORD)).resolves.toEqual({ amr: ['pwd'] });
      await expect(kit.provePassword(userId, PASSWORD, { code: '123456' })).resolves.toEqual({ amr: ['pwd'] });
      await expect(kit.provePassword(userId, 'not the password')).rejects.toThrow(InvalidCredentialsError);
    });

    it('with TOTP on, the password alone is invalid_request, before anything is counted', async () => {
      const { email, userId } = await kit.enrol();
      for (let attempt = 0; attempt < 6; attempt++) await expect(kit.provePassword(userId, PASSWORD)).rejects.toThrow(InvalidRequestError);
      await expect(kit.loginForToken(email)).resolves.toEqual(expect.any(String));
    });

    it('with TOTP on, a current code proves ["pwd","otp","mfa"] and is spent; a recovery code proves ["pwd","mfa","rc"] once', async () => {
      const { userId, secret, recoveryCodes } = await kit.enrol();
      const code = kit.code(secret);
      await expect(kit.provePassword(userId, PASSWORD, { code })).resolves.toEqual({ amr: ['pwd', 'otp', 'mfa'] });
      await expect(kit.provePassword(userId, PASSWORD, { code })).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.provePassword(userId, PASSWORD, { recoveryCode: recoveryCodes[4]! })).resolves.toEqual({ amr: ['pwd', 'mfa', 'rc'] });
      await expect(kit.provePassword(userId, PASSWORD, { recoveryCode: recoveryCodes[4]! })).rejects.toThrow(InvalidMfaCodeError);
    });

    it('wrong passwords and wrong codes count against the login throttle: 429 past LOGIN_MAX_FAILURES', async () => {
      const { userId, secret } = await kit.enrol();
      const outcomes: unknown[] = [];
      for (let attempt = 0; attempt < 6; attempt++) outcomes.push(await kit.provePassword(userId, PASSWORD, { code: wrongCodeFor(secret) }).catch((error: unknown) => error));
      expect(outcomes.slice(0, 5).every((outcome) => outcome instanceof InvalidMfaCodeError)).toBe(true);
      expect(outcomes[5]).toBeInstanceOf(TooManyAttemptsError);
      await expect(kit.provePassword(userId, PASSWORD, { code: kit.code(secret) })).rejects.toThrow(TooManyAttemptsError);
    });

    it('a TOTP enrolment on probation proves ["pwd","otp"], not mfa', async () => {
      const { userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      await kit.confirm(userId, kit.code(secret));
      kit.nextStep();
      await expect(kit.provePassword(userId, PASSWORD, { code: kit.code(secret) })).resolves.toEqual({ amr: ['pwd', 'otp'] });
    });
  });
});
