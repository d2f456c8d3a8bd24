import { randomBytes } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { createOneTimeTokenCodec } from '../../../lib/tokens/one-time-token';

const USER_ID = '3f0c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6';

describe('one-time token codec', () => {
  const key = randomBytes(32);
  const codec = createOneTimeTokenCodec(createKeyring(key));

  it('mints <userId>.<256-bit secret>, and parse reads it back', () => {
    const { token, hash } = codec.mint('reset_password', USER_ID);
    const [userId, secret] = token.value.split('.');
    expect(userId).toBe(USER_ID);
    expect(Buffer.from(secret!, 'base64url')).toHaveLength(32);
    expect(codec.parse(token.value)).toEqual(token);
    expect(codec.hashesOf('reset_password', token)).toEqual([hash]);
  });

  it('stores a keyed hash that differs per purpose and never contains the token', () => {
    const { token, hash } = codec.mint('verify_email', USER_ID);
    expect(hash).not.toContain(token.value.split('.')[1]);
    expect(codec.hashesOf('reset_password', token)).not.toEqual([hash]);
    expect(createOneTimeTokenCodec(createKeyring(randomBytes(32))).hashesOf('verify_email', token)).not.toEqual([hash]);
  });

  it.each([
    ['a number', 42],
    ['no dot', 'abc'],
    ['a short secret', `${USER_ID}.abc`],
    ['a padded secret', `${USER_ID}.${'A'.repeat(42)}=`],
    ['a non-canonical last character', `${USER_ID}.${'A'.repeat(42)}B`],
    ['white space', ` ${USER_ID}.${'A'.repeat(43)}`],
  ])('refuses %s', (_what, value) => {
    expect(codec.parse(value)).toBeUndefined();
  });

  it('a token minted before a hash-key rotation still matches under the previous key', () => {
    const { token, hash } = codec.mint('verify_email', USER_ID);
    const rotated = createOneTimeTokenCodec(createKeyring(randomBytes(32), key));
    expect(rotated.hashesOf('verify_email', token)).toContain(hash);
  });
});
