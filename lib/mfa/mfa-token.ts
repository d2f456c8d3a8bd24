import { randomBytes } from 'node:crypto';
import type { Keyring } from '../core/keyring';
import { MFA_KEY_SALT } from './mfa-keys';

/**
 * The MFA token that links a login's password step to its second step: 256 random bits,
 * base64url. Only its keyed hash (HMAC-SHA256 under a key derived from the server key) is
 * stored, as the item's key, so a copy of the table holds nothing that can finish a login.
 */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const KEY_INFO = 'mfa-token v1';

export interface MfaTokenCodec {
  /** A fresh token and the hash to store it under. */
  mint(): { readonly value: string; readonly hash: string };
  /** The stored hash of a presented token (current key), or undefined when it cannot be one of ours. */
  hashOf(presented: unknown): string | undefined;
  /** Every hash a presented token may be stored under (current key first); empty when it cannot be one of ours. */
  hashesOf(presented: unknown): string[];
}

/** An MFA token codec under the keyring's server keys. */
export function createMfaTokenCodec(keyring: Keyring): MfaTokenCodec {
  const keyed = keyring.purpose(KEY_INFO, MFA_KEY_SALT);
  const hash = (value: string) => keyed.hash(value);
  const wellFormed = (presented: unknown): presented is string => typeof presented === 'string' && TOKEN_PATTERN.test(presented);
  return {
    mint() {
      const value = randomBytes(TOKEN_BYTES).toString('base64url');
      return { value, hash: hash(value) };
    },
    hashOf(presented) {
      return wellFormed(presented) ? hash(presented) : undefined;
    },
    hashesOf: (presented) => (wellFormed(presented) ? keyed.hashes(presented) : []),
  };
}
