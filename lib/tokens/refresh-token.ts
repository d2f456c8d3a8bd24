import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../core/crypto';
import type { Keyring } from '../core/keyring';
import { InvalidRefreshTokenError } from '../core/errors';

/**
 * Refresh tokens are `<sessionId>.<secret>`, where the secret is base64url of
 * generation (4 bytes) || absolute expiry, epoch s (4 bytes) || random (32 bytes) || tag (16 bytes).
 *
 * - Only `hash` (an HMAC under a server-side key) is stored, so the table holds nothing usable.
 * - `tag` lets us tell a token we really issued for an older generation (reuse: revoke the
 *   session) from a forged one (plain 401), without storing every past hash. Without it,
 *   anyone who learned a session id could revoke that session with a made-up secret.
 * - The successor of a token is derived from it under a server-side key, so a retry inside
 *   the grace window can be given the same successor again without it ever being stored.
 * - The absolute expiry travels in the token so a rotation can set the session's TTL to the
 *   earlier of its two expiries in a single write, with no read first.
 * - The server key can be rotated without ending sessions: with the previous key configured, a
 *   token whose tag verifies under it is still accepted, hashed under the key that made it (so
 *   it matches what is stored), and its successor is made under the current key.
 */
export interface RefreshToken {
  readonly sessionId: string;
  /** Which server key made it: 0 the current one, 1 the previous one. */
  readonly keyIndex: number;
  readonly generation: number;
  /** Epoch seconds; no refresh extends it. */
  readonly absoluteExpiresAt: number;
  readonly value: string;
}

export interface RefreshTokenCodec {
  /** A new session's first token. */
  mint(sessionId: string, absoluteExpiresAt: number): RefreshToken;
  /** The token that follows `token` on rotation; the same every time for the same token. */
  successorOf(token: RefreshToken): RefreshToken;
  /** Parses and authenticates a presented token; throws InvalidRefreshTokenError when it is not one of ours. */
  parse(value: unknown): RefreshToken;
  /** What the session store keeps in place of the token. */
  hash(token: RefreshToken): string;
  /** Constant-time comparison of a token with a stored hash. */
  matches(token: RefreshToken, storedHash: string | undefined): boolean;
}

const SESSION_ID_BYTES = 16;
const RANDOM_BYTES = 32;
const TAG_BYTES = 16;
const HEAD_BYTES = 8 + RANDOM_BYTES;
const SECRET_BYTES = HEAD_BYTES + TAG_BYTES;
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{75})$/;

export const newSessionId = (): string => randomBytes(SESSION_ID_BYTES).toString('base64url');

/** The codec under the keyring's server keys (the previous one accepted during a rotation). */
export function createRefreshTokenCodec(keyring: Keyring): RefreshTokenCodec {
  const hashes = keyring.purpose('refresh-token/hash');
  const tags = keyring.purpose('refresh-token/tag');
  const successors = keyring.purpose('refresh-token/successor');
  const build = (sessionId: string, generation: number, absoluteExpiresAt: number, random: Buffer): RefreshToken => {
    const head = Buffer.alloc(HEAD_BYTES);
    head.writeUInt32BE(generation, 0);
    head.writeUInt32BE(absoluteExpiresAt, 4);
    random.copy(head, 8, 0, RANDOM_BYTES);
    const tag = tags.digest([sessionId, head]).subarray(0, TAG_BYTES);
    const value = `${sessionId}.${Buffer.concat([head, tag]).toString('base64url')}`;
    return { sessionId, keyIndex: 0, generation, absoluteExpiresAt, value };
  };
  // Under the key that made the token: that is the hash its session stores.
  const hash = (token: RefreshToken): string => hashes.digest([token.value], token.keyIndex).toString('base64url');

  return {
    mint: (sessionId, absoluteExpiresAt) => build(sessionId, 0, absoluteExpiresAt, randomBytes(RANDOM_BYTES)),
    successorOf(token) {
      const random = successors.digest([token.value]);
      return build(token.sessionId, token.generation + 1, token.absoluteExpiresAt, random);
    },
    parse(value) {
      if (typeof value !== 'string') throw new InvalidRefreshTokenError();
      const match = TOKEN_PATTERN.exec(value);
      if (!match) throw new InvalidRefreshTokenError();
      const [, sessionId, secret] = match as unknown as [string, string, string];
      const bytes = Buffer.from(secret, 'base64url');
      if (bytes.length !== SECRET_BYTES || bytes.toString('base64url') !== secret) throw new InvalidRefreshTokenError();
      const head = bytes.subarray(0, HEAD_BYTES);
      const tag = bytes.subarray(HEAD_BYTES);
      const keyIndex = tags.keyIndexOf(tag, sessionId, head);
      if (keyIndex < 0) throw new InvalidRefreshTokenError();
      return { sessionId, keyIndex, generation: head.readUInt32BE(0), absoluteExpiresAt: head.readUInt32BE(4), value };
    },
    hash,
    matches(token, storedHash) {
      if (!storedHash) return false;
      const expected = Buffer.from(hash(token), 'base64url');
      const stored = Buffer.from(storedHash, 'base64url');
      return constantTimeEqual(expected, stored);
    },
  };
}
