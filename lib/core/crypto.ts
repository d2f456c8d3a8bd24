import { hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * A 32-byte key for one purpose, derived from a server key with HKDF-SHA256. Each purpose gets its
 * own key; a salt keeps a family of keys (MFA, passkeys) apart from every other use of the key.
 */
export function deriveKey(serverKey: Buffer, purpose: string, salt = ''): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, salt, purpose, 32));
}

/** Compares two secrets (hashes, tags) in constant time; a length difference is just "not equal". */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
