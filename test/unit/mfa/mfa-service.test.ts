import { InvalidCredentialsError, InvalidMfaCodeError, InvalidMfaTokenError, InvalidRequestError, MfaAlreadyEnabledError, MfaRequiredError, TooManyAttemptsError } from '../../../lib/core/errors';
import { createMfaCrypto } from '../../../lib/mfa/mfa-crypto';
import { SealedSecretError } from '../../../lib/mfa/secret-box';
import { PASSWORD } from '../../support/fixtures';
import { claimsOf, createMfaKit, NEW_PASSWORD, randomMfaToken, type MfaKit } from '../../support/mfa-kit';

// The multi-factor rules on the memory stores: enrolment, the second login step, every attack of
// the list that does not need real concurrency in DynamoDB (that is test/integration/mfa).
describe('TOTP and recovery codes (memory stores)', () => {
  let kit: MfaKit;
  beforeEach(async () => {
    kit = await createMfaKit('memory');
  });

  describe('setup and confirm', () => {
    it('setup returns a 160-bit base32 secret, its otpauth URI and an SVG QR code, and changes nothing yet', async () => {
      const { email, userId } = await kit.register();
      const setup = await kit.setup(userId);
      expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(setup.otpauthUri).toBe(`otpauth://totp/Test%20Auth:${encodeURIComponent(email)}?secret=${setup.secret}&issuer=Test%20Auth&algorithm=SHA1&digits=6&period=30`);
      expect(setup.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>$/);
      expect((await kit.users.findById(userId))?.mfaEnabled).toBe(false);
      await expect(kit.login(email)).resolves.toMatchObject({ userId });
    });

    it('confirm with a code of the secret turns TOTP on and returns ten distinct recovery codes', async () => {
      const { email, userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      const { recoveryCodes } = await kit.confirm(userId, kit.code(secret));
      expect(new Set(recoveryCodes).size).toBe(10);
      for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
      expect((await kit.users.findByEmail(email))?.mfaEnabled).toBe(true);
      expect(kit.log.lines).toContainEqual(expect.objectContaining({ security_event: 'mfa_enabled', userId }));
    });

    it('setup or confirm again once TOTP is on is mfa_already_enabled (after the sign-in checks: a password-only one is reauthentication_required)', async () => {
      const { userId, secret } = await kit.enrol();
      const withSecondFactor = kit.recent(['pwd', 'otp', 'mfa']);
      await expect(kit.setup(userId, withSecondFactor)).rejects.toThrow(MfaAlreadyEnabledError);
      await expect(kit.confirm(userId, kit.code(secret), withSecondFactor)).rejects.toMatchObject({ code: 'mfa_already_enabled' });
      await expect(kit.setup(userId, kit.recent(['pwd']))).rejects.toMatchObject({ code: 'reauthentication_required' });
    });

    it('setup twice before confirm: only the latest secret confirms', async () => {
      const { userId } = await kit.register();
      const first = await kit.setup(userId);
      const second = await kit.setup(userId);
      await expect(kit.confirm(userId, kit.code(first.secret))).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.confirm(userId, kit.code(second.secret))).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
    });

    it('confirm without a setup, with a wrong code, or after the pending secret expired is invalid_mfa_code', async () => {
      const { userId } = await kit.register();
      await expect(kit.confirm(userId, '123456')).rejects.toThrow(InvalidMfaCodeError);
      const { secret } = await kit.setup(userId);
      await expect(kit.confirm(userId, kit.code(secret, 2))).rejects.toThrow(InvalidMfaCodeError);
      kit.clock.advance(16 * 60_000);
      await expect(kit.confirm(userId, kit.code(secret))).rejects.toMatchObject({ code: 'invalid_mfa_code' });
    });

    it('purgeMfaData removes the pending secret, so it can no longer be confirmed', async () => {
      const { userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      await kit.purge(userId);
      await expect(kit.confirm(userId, kit.code(secret))).rejects.toThrow(InvalidMfaCodeError);
    });
  });

  describe('login with TOTP on', () => {
    it('the right password answers mfa_required with an MFA token for 300 s and opens no session', async () => {
      const { email, userId } = await kit.enrol();
      const failure = await kit.login(email).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MfaRequiredError);
      expect(failure).toMatchObject({ status: 403, extraBody: { mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expires_in: 300 } });
      expect((await kit.sessionStore.listIndexed(userId, { limit: 10, newestFirst: true })).sessions).toHaveLength(0);
    });

    it('a wrong password is still invalid_credentials, not mfa_required', async () => {
      const { email } = await kit.enrol();
      await expect(kit.login(email, 'body', 'not the password')).rejects.toThrow(InvalidCredentialsError);
    });

    it('verify with a current code opens a session with amr ["pwd","otp","mfa"] in the delivery of the login', async () => {
      const { email, userId, secret } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email, 'cookie');
      const { tokens, delivery } = await kit.verify(mfaToken, { code: kit.code(secret) });
      expect(delivery).toBe('cookie');
      expect(tokens.userId).toBe(userId);
      expect(claimsOf(tokens.accessToken)).toMatchObject({ sub: userId, amr: ['pwd', 'otp', 'mfa'] });
    });

    it('the code that confirmed enrolment cannot log in (same step)', async () => {
      const { email, userId } = await kit.register();
      const { secret } = await kit.setup(userId);
      const code = kit.code(secret);
      await kit.confirm(userId, code);
      await expect(kit.verify(await kit.loginForToken(email), { code })).rejects.toThrow(InvalidMfaCodeError);
    });

    it('a replayed code is invalid_mfa_code, even with a fresh MFA token', async () => {
      const { email, secret } = await kit.enrol();
      const code = kit.code(secret);
      await kit.verify(await kit.loginForToken(email), { code });
      await expect(kit.verify(await kit.loginForToken(email), { code })).rejects.toThrow(InvalidMfaCodeError);
    });

    it('a code of one step back is accepted, two steps back or ahead is not', async () => {
      const { email, secret } = await kit.enrol();
      kit.nextStep();
      kit.nextStep();
      await expect(kit.verify(await kit.loginForToken(email), { code: kit.code(secret, -2) })).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.verify(await kit.loginForToken(email), { code: kit.code(secret, 2) })).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.verify(await kit.loginForToken(email), { code: kit.code(secret, -1) })).resolves.toMatchObject({ delivery: 'body' });
    });

    it('once a later step is used, an earlier step still in the window is refused', async () => {
      const { email, secret } = await kit.enrol();
      await kit.verify(await kit.loginForToken(email), { code: kit.code(secret, 1) });
      await expect(kit.verify(await kit.loginForToken(email), { code: kit.code(secret) })).rejects.toThrow(InvalidMfaCodeError);
    });

    it.each([['12345'], ['1234567'], ['12 345'], [' 123456'], ['123456 '], ['abcdef'], ['١٢٣٤٥٦'], ['']])('an ill-formed code %j is invalid_mfa_code and counts as a wrong code', async (code) => {
      const { email, userId } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      await expect(kit.verify(mfaToken, { code })).rejects.toThrow(InvalidMfaCodeError);
      expect(kit.log.lines).toContainEqual(expect.objectContaining({ security_event: 'mfa_failed', userId }));
    });

    it('five wrong codes end the MFA token: the right code is then invalid_mfa_token', async () => {
      const { email, secret } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      const wrong = kit.code(secret) === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) await expect(kit.verify(mfaToken, { code: wrong })).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.verify(mfaToken, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    });

    it('wrong codes count toward the login throttle: after five, the next password login is 429', async () => {
      const { email, secret } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      const wrong = kit.code(secret) === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) await expect(kit.verify(mfaToken, { code: wrong })).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.login(email)).rejects.toThrow(TooManyAttemptsError);
    });

    it('a right password does not buy more guesses at the code: wrong codes across fresh logins still reach 429', async () => {
      const { email, secret } = await kit.enrol();
      const wrong = kit.code(secret) === '000000' ? '111111' : '000000';
      // A right password takes back only its own attempt; each wrong code stays counted, across logins.
      const outcomes: unknown[] = [];
      for (let round = 0; round < 10; round++) {
        const step = await kit.login(email).catch((error: unknown) => error);
        if (!(step instanceof MfaRequiredError)) {
          outcomes.push(step);
          break;
        }
        outcomes.push(await kit.verify(step.extraBody.mfa_token, { code: wrong }).catch((error: unknown) => error));
      }
      expect(outcomes.at(-1)).toBeInstanceOf(TooManyAttemptsError);
      // LOGIN_MAX_FAILURES (5) guesses per lockout window, however the logins are interleaved.
      expect(outcomes.filter((outcome) => outcome instanceof InvalidMfaCodeError)).toHaveLength(5);
    });

    it('disable with the right password cannot be used to guess codes without limit', async () => {
      const { email, secret, userId } = await kit.enrol();
      const wrong = kit.code(secret) === '000000' ? '111111' : '000000';
      const outcomes: unknown[] = [];
      for (let attempt = 0; attempt < 6; attempt++) outcomes.push(await kit.disable(userId, PASSWORD, wrong).catch((error: unknown) => error));
      expect(outcomes.at(-1)).toBeInstanceOf(TooManyAttemptsError);
      expect(email).toContain('@');
    });

    it('an MFA token is single-use', async () => {
      const { email, secret } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      await kit.verify(mfaToken, { code: kit.code(secret) });
      kit.nextStep();
      await expect(kit.verify(mfaToken, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    });

    it('an MFA token expires after 300 s (exactly then)', async () => {
      const { email, secret } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      kit.clock.advance(300_000);
      await expect(kit.verify(mfaToken, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    });

    it('an MFA token that is not ours, or not a string, is invalid_mfa_token', async () => {
      await kit.enrol();
      for (const token of [randomMfaToken(), 'short', '', 42, undefined]) await expect(kit.verify(token, { code: '123456' })).rejects.toThrow(InvalidMfaTokenError);
    });

    it('of two concurrent verifies with one MFA token (a code and a recovery code), exactly one succeeds', async () => {
      const { email, secret, recoveryCodes } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      const results = await Promise.allSettled([kit.verify(mfaToken, { code: kit.code(secret) }), kit.verify(mfaToken, { recoveryCode: recoveryCodes[0]! })]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: expect.objectContaining({ code: 'invalid_mfa_token' }) });
    });

    it('TOTP turned off between the steps ends the MFA token', async () => {
      const { email, userId, secret } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      await kit.disable(userId, PASSWORD, kit.code(secret));
      kit.nextStep();
      await expect(kit.verify(mfaToken, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    });

    it('a new password between the steps ends the MFA token, for a code and for a recovery code; the code is not spent', async () => {
      const { email, userId, secret, recoveryCodes } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      await kit.newPassword(email, userId);
      await expect(kit.verify(mfaToken, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
      await expect(kit.verify(mfaToken, { recoveryCode: recoveryCodes[0]! })).rejects.toThrow(InvalidMfaTokenError);
      // A login with the new password gets a new token, and the same code still works for it.
      const fresh = await kit.loginForToken(email, 'body', NEW_PASSWORD);
      await expect(kit.verify(fresh, { code: kit.code(secret) })).resolves.toMatchObject({ tokens: { userId } });
    });

    it('a new password that lands between the checks and the spending transaction still ends the MFA token', async () => {
      const { email, userId, secret } = await kit.enrol();
      const mfaToken = await kit.loginForToken(email);
      const complete = kit.mfa.completeLogin.bind(kit.mfa);
      kit.mfa.completeLogin = async (input) => {
        await kit.newPassword(email, userId);
        return complete(input);
      };
      await expect(kit.verify(mfaToken, { code: kit.code(secret) })).rejects.toThrow(InvalidMfaTokenError);
    });
  });

  describe('recovery codes', () => {
    it('a recovery code logs in once, with amr ["pwd","mfa","rc"], as typed by a person', async () => {
      const { email, userId, recoveryCodes } = await kit.enrol();
      const typed = recoveryCodes[0]!.toUpperCase().replace('-', '');
      const { tokens } = await kit.verify(await kit.loginForToken(email), { recoveryCode: typed });
      expect(claimsOf(tokens.accessToken)).toMatchObject({ amr: ['pwd', 'mfa', 'rc'] });
      expect(kit.log.lines).toContainEqual(expect.objectContaining({ security_event: 'recovery_code_used', userId, remaining: 9 }));
      await expect(kit.verify(await kit.loginForToken(email), { recoveryCode: recoveryCodes[0]! })).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.verify(await kit.loginForToken(email), { recoveryCode: recoveryCodes[1]! })).resolves.toMatchObject({ delivery: 'body' });
    });

    it('one recovery code used concurrently by two logins succeeds exactly once', async () => {
      const { email, recoveryCodes } = await kit.enrol();
      const [a, b] = [await kit.loginForToken(email), await kit.loginForToken(email)];
      const results = await Promise.allSettled([kit.verify(a, { recoveryCode: recoveryCodes[3]! }), kit.verify(b, { recoveryCode: recoveryCodes[3]! })]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: expect.objectContaining({ code: 'invalid_mfa_code' }) });
    });

    it('replacing needs the password; the new codes work and the old ones do not', async () => {
      const { email, userId, recoveryCodes: old } = await kit.enrol();
      await expect(kit.replaceCodes(userId, 'not the password')).rejects.toThrow(InvalidCredentialsError);
      const { recoveryCodes } = await kit.replaceCodes(userId);
      expect(recoveryCodes).toHaveLength(10);
      expect(recoveryCodes).not.toContain(old[0]);
      await expect(kit.verify(await kit.loginForToken(email), { recoveryCode: old[0]! })).rejects.toThrow(InvalidMfaCodeError);
      await expect(kit.verify(await kit.loginForToken(email), { recoveryCode: recoveryCodes[0]! })).resolves.toMatchObject({ delivery: 'body' });
      expect(kit.log.lines).toContainEqual(expect.objectContaining({ security_event: 'recovery_codes_replaced', userId }));
    });

    it('replacing with TOTP off is invalid_request', async () => {
      const { userId } = await kit.register();
      await expect(kit.replaceCodes(userId)).rejects.toThrow(InvalidRequestError);
    });
  });

  describe('disable', () => {
    it('needs the password and a current code; then a login issues tokens at once', async () => {
      const { email, userId, secret } = await kit.enrol();
      await expect(kit.disable(userId, 'not the password', kit.code(secret))).rejects.toThrow(InvalidCredentialsError);
      await expect(kit.disable(userId, PASSWORD, kit.code(secret, 3))).rejects.toThrow(InvalidMfaCodeError);
      await kit.disable(userId, PASSWORD, kit.code(secret));
      expect(kit.log.lines).toContainEqual(expect.objectContaining({ security_event: 'mfa_disabled', userId }));
      const tokens = await kit.login(email);
      expect(claimsOf(tokens.accessToken)).toMatchObject({ amr: ['pwd'] });
    });

    it('a code already spent at login does not disable', async () => {
      const { email, userId, secret } = await kit.enrol();
      const code = kit.code(secret);
      await kit.verify(await kit.loginForToken(email), { code });
      await expect(kit.disable(userId, PASSWORD, code)).rejects.toThrow(InvalidMfaCodeError);
    });

    it('with TOTP off there is no code to check: invalid_mfa_code', async () => {
      const { userId } = await kit.register();
      await expect(kit.disable(userId, PASSWORD, '123456')).rejects.toThrow(InvalidMfaCodeError);
    });
  });

  it('no log line holds a TOTP secret, a recovery code, a TOTP code or an MFA token', async () => {
    const { email, secret, recoveryCodes } = await kit.enrol();
    const mfaToken = await kit.loginForToken(email);
    const code = kit.code(secret);
    await kit.verify(mfaToken, { code: 'abcdef' }).catch(() => undefined);
    await kit.verify(mfaToken, { code });
    await kit.verify(await kit.loginForToken(email), { recoveryCode: recoveryCodes[0]! });
    const everything = kit.log.raw.join('\n');
    for (const secretValue of [secret, mfaToken, code, ...recoveryCodes]) expect(everything).not.toContain(secretValue);
  });
});

describe('MFA keys across a hash-key rotation', () => {
  it('a secret sealed under the previous key still opens; one under an unknown key does not', () => {
    const [oldKey, newKey, otherKey] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
    const sealed = createMfaCrypto(oldKey).sealSecret('JBSWY3DPEHPK3PXP', 'user-1');
    expect(createMfaCrypto(newKey, oldKey).openSecret(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => createMfaCrypto(newKey, otherKey).openSecret(sealed, 'user-1')).toThrow(SealedSecretError);
    expect(createMfaCrypto(newKey, oldKey).recoveryCodeHashes('abcde-fghjk')).toContain(createMfaCrypto(oldKey).hashRecoveryCode('abcde-fghjk'));
  });
});
