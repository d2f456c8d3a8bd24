import { randomBytes } from 'node:crypto';
import type { Keyring } from '../core/keyring';

/**
 * One-time tokens (email verification, password reset, the "this wasn't me" link of a factor
 * notice) are `<userId>.<secret>`: the user id says
 * which stored item to look at without a scan or an index, and the secret is 256 random bits.
 *
 * Only a keyed hash of the whole token is stored (HMAC-SHA256 under a key derived per purpose
 * from the server hash key), so the table holds nothing usable and a verification token can
 * never pass as a reset token. With the previous server key configured during a rotation, a
 * token minted before the rotation still matches: `hashesOf` gives its hash under each key, and
 * the store's condition accepts any of them.
 */
export type OneTimePurpose = 'verify_email' | 'reset_password' | 'report_factor';

export interface OneTimeToken {
  readonly userId: string;
  readonly value: string;
}

export interface OneTimeTokenCodec {
  /** A fresh token for the user and its hash under the current key (what the store keeps). */
  mint(purpose: OneTimePurpose, userId: string): { token: OneTimeToken; hash: string };
  /** Reads a presented value; undefined when it cannot be one of ours (wrong shape or length). */
  parse(value: unknown): OneTimeToken | undefined;
  /** Its hash under the current key, then under the previous one if configured. */
  hashesOf(purpose: OneTimePurpose, token: OneTimeToken): string[];
}

const SECRET_BYTES = 32;
/** A user id (UUID here; anything URL-safe up to 64 characters) then 43 base64url characters of secret. */
const TOKEN_PATTERN = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/;

/** The codec under the keyring's server keys (REFRESH_TOKEN_HASH_KEY and, during a rotation, the previous one). */
export function createOneTimeTokenCodec(keyring: Keyring): OneTimeTokenCodec {
  const purposeOf = (purpose: OneTimePurpose) => keyring.purpose(`one-time-token/${purpose}`);
  const keys = { verify_email: purposeOf('verify_email'), reset_password: purposeOf('reset_password'), report_factor: purposeOf('report_factor') };

  return {
    mint(purpose, userId) {
      const token = { userId, value: `${userId}.${randomBytes(SECRET_BYTES).toString('base64url')}` };
      return { token, hash: keys[purpose].hash(token.value) };
    },
    parse(value) {
      if (typeof value !== 'string') return undefined;
      const match = TOKEN_PATTERN.exec(value);
      if (!match) return undefined;
      // Exactly 32 bytes, canonically encoded: one token has one spelling.
      if (Buffer.from(match[2]!, 'base64url').toString('base64url') !== match[2]) return undefined;
      return { userId: match[1]!, value };
    },
    hashesOf: (purpose, token) => keys[purpose].hashes(token.value),
  };
}
