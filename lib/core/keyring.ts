import { createHmac } from 'node:crypto';
import { constantTimeEqual, deriveKey } from './crypto';

/**
 * The one home of keyed hashes (HMAC-SHA256). Every codec that stores or checks a keyed hash
 * (refresh tokens, one-time tokens, tickets, recovery codes, passkey challenges, session cursors)
 * asks the keyring for its purpose and never sees a server key.
 *
 * - A purpose gets its own key, derived with HKDF from the server key (`deriveKey`); the optional
 *   salt keeps a family of purposes (MFA, passkeys) apart from every other use of the key.
 * - Rotation: new hashes are always made under the current server key; lookups and checks also
 *   try the previous key, so what was stored before the rotation keeps working until it expires.
 * - Parts are fed to the HMAC one after the other (strings as UTF-8): the same as hashing their
 *   concatenation, so callers separate variable-length parts themselves.
 */
export type HashPart = string | Uint8Array;

const HMAC_BYTES = 32;

export interface KeyedHash {
  /** How many server keys there are: 1, or 2 during a rotation. */
  readonly keyCount: number;
  /** HMAC of the parts under the key at `keyIndex` (0 the current, 1 the previous). */
  digest(parts: readonly HashPart[], keyIndex?: number): Buffer;
  /** base64url of the HMAC under the current key: what a store keeps. */
  hash(...parts: HashPart[]): string;
  /** The hash under every key, current first: the keys a stored item may be found under. */
  hashes(...parts: HashPart[]): string[];
  /**
   * The index of the key under which the parts give `expected` (a whole HMAC, or a prefix of one:
   * a truncated tag), or -1. Compared in constant time.
   */
  keyIndexOf(expected: Uint8Array, ...parts: HashPart[]): number;
  /** Whether `stored` (base64url of a whole HMAC) is the hash of the parts under any key; false when absent. */
  matches(stored: string | undefined, ...parts: HashPart[]): boolean;
}

export interface Keyring {
  /** The keyed hash of one purpose. */
  purpose(name: string, salt?: string): KeyedHash;
}

/** A keyring of the current server key and, during a rotation, the previous one. */
export function createKeyring(current: Buffer, previous?: Buffer): Keyring {
  const serverKeys = previous ? [current, previous] : [current];
  return {
    purpose(name, salt = '') {
      const keys = serverKeys.map((serverKey) => deriveKey(serverKey, name, salt));
      const digest = (parts: readonly HashPart[], keyIndex = 0): Buffer => {
        const key = keys[keyIndex];
        if (!key) throw new RangeError(`No server key at index ${keyIndex}.`);
        const hmac = createHmac('sha256', key);
        for (const part of parts) hmac.update(part);
        return hmac.digest();
      };
      const keyIndexOf = (expected: Uint8Array, ...parts: HashPart[]): number => {
        // Every key is tried, so the time does not say which one matched.
        let found = -1;
        keys.forEach((_, index) => {
          const candidate = digest(parts, index).subarray(0, Math.max(expected.length, 1));
          if (constantTimeEqual(candidate, expected) && found < 0) found = index;
        });
        return found;
      };
      return {
        keyCount: keys.length,
        digest,
        hash: (...parts) => digest(parts).toString('base64url'),
        hashes: (...parts) => keys.map((_, index) => digest(parts, index).toString('base64url')),
        keyIndexOf,
        // A whole HMAC only: a shortened stored value would otherwise match as a tag.
        matches: (stored, ...parts) => stored !== undefined && Buffer.from(stored, 'base64url').length === HMAC_BYTES && keyIndexOf(Buffer.from(stored, 'base64url'), ...parts) >= 0,
      };
    },
  };
}
