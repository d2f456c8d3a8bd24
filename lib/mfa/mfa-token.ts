import { createHmac, randomBytes } from 'node:crypto';
import { deriveKey } from '../core/crypto';
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
  /** The stored hash of a presented token, or undefined when it cannot be one of ours. */
  hashOf(presented: unknown): string | undefined;
}

/** An MFA token codec keyed from the server key. */
export function createMfaTokenCodec(serverKey: Buffer): MfaTokenCodec {
  const key = deriveKey(serverKey, KEY_INFO, MFA_KEY_SALT);
  const hash = (value: string) => createHmac('sha256', key).update(value, 'ascii').digest('base64url');
  return {
    mint() {
      const value = randomBytes(TOKEN_BYTES).toString('base64url');
      return { value, hash: hash(value) };
    },
    hashOf(presented) {
      return typeof presented === 'string' && TOKEN_PATTERN.test(presented) ? hash(presented) : undefined;
    },
  };
}
