import { randomBytes } from 'node:crypto';
import { createKeyring } from '../../lib/core/keyring';
import { InvalidRefreshTokenError } from '../../lib/core/errors';
import { createRefreshTokenCodec, newSessionId } from '../../lib/tokens/refresh-token';

describe('refresh-token codec', () => {
  const codec = createRefreshTokenCodec(createKeyring(randomBytes(32)));
  const sessionId = newSessionId();
  const absolute = 1_900_000_000;

  it('mints opaque base64url tokens with at least 256 bits of randomness, distinct every time', () => {
    const a = codec.mint(sessionId, absolute);
    const b = codec.mint(sessionId, absolute);
    expect(a.value).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{75}$/);
    expect(a.value).not.toBe(b.value);
    expect(a.generation).toBe(0);
  });

  it('parses what it minted and refuses anything altered', () => {
    const token = codec.mint(sessionId, absolute);
    expect(codec.parse(token.value)).toEqual(token);
    const [id, secret] = token.value.split('.') as [string, string];
    const flipped = secret.slice(0, 10) + (secret[10] === 'A' ? 'B' : 'A') + secret.slice(11);
    for (const altered of [`${id}.${flipped}`, `${newSessionId()}.${secret}`, `${token.value}=`, ` ${token.value}`, token.value.slice(0, -1), '']) {
      expect(() => codec.parse(altered)).toThrow(InvalidRefreshTokenError);
    }
  });

  it('refuses a token minted under another server key', () => {
    const other = createRefreshTokenCodec(createKeyring(randomBytes(32)));
    expect(() => codec.parse(other.mint(sessionId, absolute).value)).toThrow(InvalidRefreshTokenError);
  });

  it('derives the same successor every time, one generation up, keeping the absolute expiry', () => {
    const token = codec.mint(sessionId, absolute);
    const next = codec.successorOf(token);
    expect(codec.successorOf(token)).toEqual(next);
    expect(next.generation).toBe(1);
    expect(next.absoluteExpiresAt).toBe(absolute);
    expect(next.value).not.toBe(token.value);
    expect(codec.parse(next.value)).toEqual(next);
  });

  it('stores a keyed hash that matches only its own token, and holds nothing of the token', () => {
    const token = codec.mint(sessionId, absolute);
    const hash = codec.hash(token);
    expect(codec.matches(token, hash)).toBe(true);
    expect(codec.matches(codec.successorOf(token), hash)).toBe(false);
    expect(codec.matches(token, undefined)).toBe(false);
    expect(codec.matches(token, 'short')).toBe(false);
    expect(hash).not.toContain(token.value.split('.')[1]!.slice(0, 16));
    expect(createRefreshTokenCodec(createKeyring(randomBytes(32))).hash(token)).not.toBe(hash);
  });
});
