import { randomBytes } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { UnnormalisedRecoveryCodeError, createRecoveryCodeHasher, newRecoveryCodes, normaliseRecoveryCode } from '../../../lib/mfa';

const CODE_FORMAT = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('newRecoveryCodes', () => {
  it('gives ten distinct codes xxxxx-xxxxx from Crockford base32 (no i, l, o, u): 50 bits each', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(CODE_FORMAT);
  });

  it('gives as many as asked, already normalised', () => {
    const codes = newRecoveryCodes(3);
    expect(codes).toHaveLength(3);
    for (const code of codes) expect(normaliseRecoveryCode(code)).toBe(code);
  });

  it('uses the whole alphabet, so no character position is stuck', () => {
    const seen = new Set(newRecoveryCodes(200).join('').replaceAll('-', ''));
    expect(seen.size).toBe(32);
  });
});

describe('normaliseRecoveryCode', () => {
  it.each([
    ['the code as printed', '7k3mq-x9d2h', '7k3mq-x9d2h'],
    ['upper case', '7K3MQ-X9D2H', '7k3mq-x9d2h'],
    ['no dash', '7k3mqx9d2h', '7k3mq-x9d2h'],
    ['surrounding white space', ' \t7k3mq-x9d2h\n', '7k3mq-x9d2h'],
    ['Crockford look-alikes (o for 0, i and l for 1)', 'OI2LO-abcde', '01210-abcde'],
  ])('accepts %s', (_case, input, expected) => {
    expect(normaliseRecoveryCode(input)).toBe(expected);
  });

  it.each([
    ['a space inside', '7k3mq x9d2h'],
    ['a space around the dash', '7k3mq - x9d2h'],
    ['two dashes', '7k3mq--x9d2h'],
    ['a dash elsewhere', '7k3m-qx9d2h'],
    ['a letter outside the alphabet (u)', '7k3mu-x9d2h'],
    ['punctuation', '7k3mq-x9d2!'],
    ['too short', '7k3mq-x9d2'],
    ['too long', '7k3mq-x9d2hh'],
    ['a non-ASCII letter', '7k3mq-x9d2é'],
    ['a TOTP code', '123456'],
    ['empty', ''],
    ['very long input', `${'7k3mq-x9d2h'}${' '.repeat(10_000)}`],
  ])('refuses %s', (_case, input) => {
    expect(normaliseRecoveryCode(input)).toBeUndefined();
  });

  it('refuses anything that is not a string', () => {
    for (const value of [1234567890, null, undefined, ['7k3mq-x9d2h'], { code: '7k3mq-x9d2h' }]) {
      expect(normaliseRecoveryCode(value)).toBeUndefined();
    }
  });
});

describe('recovery-code hasher', () => {
  const serverKey = randomBytes(32);
  const hasher = createRecoveryCodeHasher(createKeyring(serverKey));
  const code = '7k3mq-x9d2h';

  it('is stable: the same code and key give the same base64url hash of 256 bits', () => {
    const hash = hasher.hash(code);
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createRecoveryCodeHasher(createKeyring(Buffer.from(serverKey))).hash(code)).toBe(hash);
  });

  it('is keyed: another server key gives another hash', () => {
    expect(createRecoveryCodeHasher(createKeyring(randomBytes(32))).hash(code)).not.toBe(hasher.hash(code));
  });

  it('tells codes apart and never equals or contains the code', () => {
    const codes = newRecoveryCodes();
    const hashes = codes.map((each) => hasher.hash(each));
    expect(new Set(hashes).size).toBe(codes.length);
    codes.forEach((each, index) => {
      expect(hashes[index]).not.toBe(each);
      expect(hashes[index]).not.toContain(each.replace('-', ''));
    });
  });

  it('gives every accepted spelling of a code the same hash, through normalisation', () => {
    const typed = normaliseRecoveryCode(' 7K3MQX9D2H ') as string;
    expect(hasher.hash(typed)).toBe(hasher.hash(code));
  });

  it('refuses to hash a code that was not normalised', () => {
    expect(() => hasher.hash('7K3MQX9D2H')).toThrow(UnnormalisedRecoveryCodeError);
    expect(() => hasher.hash(' 7k3mq-x9d2h')).toThrow(UnnormalisedRecoveryCodeError);
  });
});
