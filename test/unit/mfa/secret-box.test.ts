import { randomBytes } from 'node:crypto';
import { SealedSecretError, createSecretBox, newTotpSecret } from '../../../lib/mfa';

describe('secret box', () => {
  const serverKey = randomBytes(32);
  const box = createSecretBox(serverKey);
  const userId = 'user-0f3a';
  const secret = newTotpSecret();

  it('opens what it sealed for the same user', () => {
    const sealed = box.seal(secret, userId);
    expect(box.open(sealed, userId)).toBe(secret);
  });

  it('seals as v1.<iv>.<ciphertext>.<tag> in base64url, with a fresh IV each time', () => {
    const sealed = box.seal(secret, userId);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const again = box.seal(secret, userId);
    expect(again).not.toBe(sealed);
    expect(again.split('.')[1]).not.toBe(sealed.split('.')[1]);
  });

  it('holds no part of the plaintext', () => {
    const sealed = box.seal(secret, userId);
    for (let start = 0; start + 6 <= secret.length; start++) {
      expect(sealed).not.toContain(secret.slice(start, start + 6));
    }
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64url').slice(0, 8));
  });

  it.each([1, 2, 3])('refuses a sealed value whose part %i was altered', (index) => {
    const parts = box.seal(secret, userId).split('.');
    const part = parts[index] as string;
    // Flip the bits of the first character's value while keeping it canonical base64url.
    parts[index] = (part[0] === 'A' ? 'Q' : 'A') + part.slice(1);
    expect(() => box.open(parts.join('.'), userId)).toThrow(SealedSecretError);
    expect(catchError(() => box.open(parts.join('.'), userId))).toMatchObject({ name: 'SealedSecretError', code: 'unauthentic' });
  });

  it('refuses a sealed value moved to another user (associated data)', () => {
    const sealed = box.seal(secret, userId);
    expect(catchError(() => box.open(sealed, 'user-another'))).toMatchObject({ name: 'SealedSecretError', code: 'unauthentic' });
  });

  it('refuses a sealed value under another server key', () => {
    const sealed = box.seal(secret, userId);
    const otherBox = createSecretBox(randomBytes(32));
    expect(catchError(() => otherBox.open(sealed, userId))).toMatchObject({ name: 'SealedSecretError', code: 'unauthentic' });
  });

  it('refuses malformed values without trying to decrypt', () => {
    const sealed = box.seal(secret, userId);
    const [, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string];
    const malformed = [
      '',
      'v1',
      `v2.${iv}.${ciphertext}.${tag}`,
      `${iv}.${ciphertext}.${tag}`,
      `v1.${iv}.${ciphertext}`,
      `v1.${iv}.${ciphertext}.${tag}.extra`,
      `v1.${iv.slice(1)}.${ciphertext}.${tag}`,
      `v1.${iv}.${ciphertext}.${tag.slice(1)}`,
      `v1.${iv}.${ciphertext}.${tag}=`,
      ` ${sealed}`,
      // Same bytes, another spelling: the last character of a 16-byte tag carries 4 unused bits.
      `v1.${iv}.${ciphertext}.${tag.slice(0, -1)}${flipLowestBit(tag.slice(-1))}`,
    ];
    for (const value of malformed) {
      expect(catchError(() => box.open(value, userId))).toMatchObject({ name: 'SealedSecretError', code: 'malformed' });
    }
  });

  it('keeps the sealed value out of the error message', () => {
    const sealed = box.seal(secret, userId);
    const error = catchError(() => box.open(sealed, 'user-another'));
    expect(error).toBeInstanceOf(SealedSecretError);
    expect((error as Error).message).not.toContain(sealed);
  });
});

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function flipLowestBit(char: string): string {
  return BASE64URL[BASE64URL.indexOf(char) ^ 1] as string;
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
