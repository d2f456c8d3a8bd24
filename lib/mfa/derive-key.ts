import { hkdfSync } from 'node:crypto';

// A fixed salt keeps these keys apart from any other HKDF use of the same server key.
const SALT = 'jwt-auth-service/mfa';

/** A 32-byte key for one purpose, derived from the server key with HKDF-SHA256. */
export function deriveMfaKey(serverKey: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverKey, SALT, info, 32));
}
