import { generateSync } from 'otplib';
import { OtpauthLabelError, codeAt, codeForStep, isWellFormedCode, matchStep, newTotpSecret, otpauthUri, stepAt } from '../../../lib/mfa';

// RFC 6238 Appendix B, SHA-1 column: the seed is the ASCII string below; T0 = 0, X = 30 s.
const RFC_SEED = new TextEncoder().encode('12345678901234567890');
const RFC_SHA1_VECTORS: ReadonlyArray<[epochSeconds: number, code: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
// The same seed in base32, as our wrapper stores secrets.
const RFC_SEED_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('otplib configured the RFC 6238 way', () => {
  it.each(RFC_SHA1_VECTORS)('gives the Appendix B SHA-1 code at T = %i s', (epoch, code) => {
    expect(generateSync({ secret: RFC_SEED, algorithm: 'sha1', digits: 8, period: 30, epoch })).toBe(code);
  });

  it.each(RFC_SHA1_VECTORS)('our wrapper gives the last six digits of the Appendix B code at T = %i s', (epoch, code) => {
    // HOTP truncation takes the value modulo 10^digits, so the 6-digit code is the 8-digit one's tail.
    expect(codeAt(RFC_SEED_BASE32, epoch * 1000)).toBe(code.slice(2));
  });
});

describe('newTotpSecret', () => {
  it('is 160 bits of base32 without padding, different every time', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(base32Decode(secret)).length).toBe(20);
    expect(newTotpSecret()).not.toBe(secret);
  });
});

describe('otpauthUri', () => {
  it('puts the issuer in the label and as a parameter, percent-encoded, with the parameters spelled out', () => {
    const uri = otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'ACME Co & Sons', account: 'jo+hn@example.com' });
    expect(uri).toBe(
      'otpauth://totp/ACME%20Co%20%26%20Sons:jo%2Bhn%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=ACME%20Co%20%26%20Sons&algorithm=SHA1&digits=6&period=30',
    );
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.searchParams.get('issuer')).toBe('ACME Co & Sons');
  });

  it('refuses an issuer or account with a colon, which would make the label ambiguous', () => {
    expect(() => otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'Evil:Corp', account: 'a@example.com' })).toThrow(OtpauthLabelError);
    expect(() => otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', issuer: 'ACME', account: 'x:y@example.com' })).toThrow(OtpauthLabelError);
    expect(() => otpauthUri({ secret: 'JBSWY3DPEHPK3PXP', issuer: '', account: 'a@example.com' })).toThrow(OtpauthLabelError);
  });
});

describe('isWellFormedCode', () => {
  it('accepts exactly six ASCII digits', () => {
    expect(isWellFormedCode('000000')).toBe(true);
    expect(isWellFormedCode('123456')).toBe(true);
  });

  it.each([
    ['too short', '12345'],
    ['too long', '1234567'],
    ['a letter', '12345a'],
    ['an inner space', '123 456'],
    ['a leading space', ' 123456'],
    ['a trailing newline', '123456\n'],
    ['a dash', '123-456'],
    ['Arabic-Indic digits', '١٢٣٤٥٦'],
    ['full-width digits', '１２３４５６'],
    ['a sign', '+12345'],
    ['empty', ''],
  ])('refuses %s', (_case, code) => {
    expect(isWellFormedCode(code)).toBe(false);
  });

  it('refuses anything that is not a string', () => {
    for (const value of [123456, null, undefined, ['123456'], { code: '123456' }]) expect(isWellFormedCode(value)).toBe(false);
  });
});

describe('matchStep', () => {
  // Fixed secrets and time make every case deterministic, including the "no accidental match" guards.
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  // Inside a step, not on its edge, so "current" is unambiguous.
  const now = 1_900_000_012_345;
  const current = stepAt(now);

  it('numbers steps as floor(now / 30 s)', () => {
    expect(current).toBe(Math.floor(now / 30_000));
    expect(stepAt(29_999)).toBe(0);
    expect(stepAt(30_000)).toBe(1);
  });

  it.each([-1, 0, 1])('accepts the code of the step at offset %i from the current one and names that step', (offset) => {
    const code = codeForStep(secret, current + offset);
    expect(matchStep({ secret, code, now })).toBe(current + offset);
  });

  it.each([-2, 2])('refuses the code of the step at offset %i from the current one', (offset) => {
    const code = codeForStep(secret, current + offset);
    // Guards the premise: with these fixed inputs no code outside the window equals one inside it.
    const inWindow = [-1, 0, 1].map((near) => codeForStep(secret, current + near));
    expect(inWindow).not.toContain(code);
    expect(matchStep({ secret, code, now })).toBeUndefined();
  });

  it('refuses a wrong code', () => {
    const inWindow = new Set([-1, 0, 1].map((near) => codeForStep(secret, current + near)));
    const wrong = ['000000', '111111', '222222'].find((candidate) => !inWindow.has(candidate)) as string;
    expect(matchStep({ secret, code: wrong, now })).toBeUndefined();
  });

  it('refuses the right code carrying extra characters', () => {
    const code = codeAt(secret, now);
    for (const altered of [` ${code}`, `${code} `, `${code.slice(0, 3)} ${code.slice(3)}`, `${code}0`, code.slice(1), 123456]) {
      expect(matchStep({ secret, code: altered, now })).toBeUndefined();
    }
  });

  it('refuses a code made with another secret', () => {
    const other = RFC_SEED_BASE32;
    const code = codeAt(other, now);
    const inWindow = [-1, 0, 1].map((near) => codeForStep(secret, current + near));
    expect(inWindow).not.toContain(code);
    expect(matchStep({ secret, code, now })).toBeUndefined();
  });

  it('lets the caller refuse a replay: the same code matches the same step again, which is not after the last used one', () => {
    const code = codeAt(secret, now);
    const lastUsedStep = matchStep({ secret, code, now }) as number;
    const replayed = matchStep({ secret, code, now: now + 30_000 });
    expect(replayed).toBe(lastUsedStep);
    expect((replayed as number) > lastUsedStep).toBe(false);
  });
});

function base32Decode(text: string): number[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return bytes;
}
