import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { InvalidRequestError } from '../../../lib/core/errors';
import { createMfaTokenCodec } from '../../../lib/mfa/mfa-token';
import { createPasskeyHasher } from '../../../lib/passkeys/passkey-hashes';
import { createSessionCursorCodec } from '../../../lib/sessions/session-cursor';

/** An independent HMAC-SHA256 under an HKDF-derived key: the stored format every codec has used. */
const reference = (serverKey: Buffer, purpose: string, salt: string, value: string) =>
  createHmac('sha256', Buffer.from(hkdfSync('sha256', serverKey, salt, purpose, 32))).update(value).digest('base64url');

describe('keyring', () => {
  const current = randomBytes(32);
  const previous = randomBytes(32);

  it('hashes exactly as the codecs stored them before (no stored token becomes unusable on deploy)', () => {
    const keyring = createKeyring(current);
    expect(keyring.purpose('refresh-token/hash').hash('a.b')).toBe(reference(current, 'refresh-token/hash', '', 'a.b'));
    expect(keyring.purpose('recovery-code v1', 'jwt-auth-service/mfa').hash('abcde-fghjk')).toBe(reference(current, 'recovery-code v1', 'jwt-auth-service/mfa', 'abcde-fghjk'));
  });

  it('makes new hashes under the current key only, and lists both during a rotation (current first)', () => {
    const rotating = createKeyring(current, previous).purpose('p');
    expect(rotating.keyCount).toBe(2);
    expect(rotating.hash('v')).toBe(reference(current, 'p', '', 'v'));
    expect(rotating.hashes('v')).toEqual([reference(current, 'p', '', 'v'), reference(previous, 'p', '', 'v')]);
    expect(createKeyring(current).purpose('p').hashes('v')).toEqual([reference(current, 'p', '', 'v')]);
  });

  it('keeps purposes and salts apart', () => {
    const keyring = createKeyring(current);
    expect(keyring.purpose('a').hash('v')).not.toBe(keyring.purpose('b').hash('v'));
    expect(keyring.purpose('a', 'salt-1').hash('v')).not.toBe(keyring.purpose('a', 'salt-2').hash('v'));
  });

  it('feeds parts in order, as one concatenated message', () => {
    const keyed = createKeyring(current).purpose('p');
    expect(keyed.hash('ab', Buffer.from('cd'))).toBe(keyed.hash('abcd'));
  });

  it('finds which key made a hash or a truncated tag, and -1 for a hash under an unknown key', () => {
    const old = createKeyring(previous).purpose('p');
    const rotating = createKeyring(current, previous).purpose('p');
    expect(rotating.keyIndexOf(rotating.digest(['v']), 'v')).toBe(0);
    expect(rotating.keyIndexOf(old.digest(['v']).subarray(0, 16), 'v')).toBe(1);
    expect(rotating.keyIndexOf(createKeyring(randomBytes(32)).purpose('p').digest(['v']), 'v')).toBe(-1);
    expect(rotating.keyIndexOf(new Uint8Array(0), 'v')).toBe(-1);
  });

  it('matches a stored hash under either key, but not a missing or shortened one', () => {
    const rotating = createKeyring(current, previous).purpose('p');
    const oldHash = createKeyring(previous).purpose('p').hash('v');
    expect(rotating.matches(oldHash, 'v')).toBe(true);
    expect(rotating.matches(oldHash, 'w')).toBe(false);
    expect(rotating.matches(undefined, 'v')).toBe(false);
    expect(rotating.matches(Buffer.from(oldHash, 'base64url').subarray(0, 16).toString('base64url'), 'v')).toBe(false);
  });

  it('refuses a key index it does not have (RangeError)', () => {
    expect(() => createKeyring(current).purpose('p').digest(['v'], 1)).toThrow(RangeError);
  });

  describe('codecs through the keyring during a rotation', () => {
    const before = createKeyring(previous);
    const after = createKeyring(current, previous);

    it('a session cursor made before the rotation still reads; one under an unknown key is invalid_request', () => {
      const cursor = createSessionCursorCodec(before).encode('user-1', { createdAt: 5, id: 's1' });
      expect(createSessionCursorCodec(after).decode('user-1', cursor)).toEqual({ createdAt: 5, id: 's1' });
      expect(() => createSessionCursorCodec(createKeyring(current)).decode('user-1', cursor)).toThrow(InvalidRequestError);
    });

    it('a passkey challenge stored before the rotation still matches', () => {
      const stored = createPasskeyHasher(before).challengeHash('challenge-1');
      expect(createPasskeyHasher(after).challengeMatches('challenge-1', stored)).toBe(true);
      expect(createPasskeyHasher(createKeyring(current)).challengeMatches('challenge-1', stored)).toBe(false);
    });

    it('an MFA token minted before the rotation can be looked up under its old hash', () => {
      const minted = createMfaTokenCodec(before).mint();
      expect(createMfaTokenCodec(after).hashesOf(minted.value)).toEqual([createMfaTokenCodec(createKeyring(current)).hashOf(minted.value), minted.hash]);
      expect(createMfaTokenCodec(after).hashesOf('not a token')).toEqual([]);
    });
  });
});
