import type { PasskeyHasher } from './passkey-hashes';
import type { CredentialDescriptor } from './webauthn';

/**
 * What `login/options` lists for an email without passkeys (an unknown email, or an account that
 * has none), so that the answer never tells which emails have passkeys, however often it is asked:
 *
 * - Stable: everything is derived from a keyed hash of the canonical email (the key never leaves
 *   the server), so the same email gets the same ids, in the same order, at every call, and no
 *   one without the key can tell a decoy id from a random one.
 * - How many: 1, 2 or 3 credentials (for 5/8, 1/4 and 1/8 of emails). Real accounts hold 1 to
 *   MAX_PASSKEYS_PER_ACCOUNT; most people register one passkey, some a second device, few more.
 * - Shaped like a synced passkey, the common case: an id of 16 bytes and the transports
 *   `["hybrid", "internal"]`, what browsers report for a passkey kept by the platform and usable
 *   from a phone. Real ids differ in length by authenticator: 16 bytes is the WebAuthn minimum
 *   for a random id and what resident FIDO2 credentials of security keys (libfido2's maintainers)
 *   and the soft authenticator in test/support use; other platform authenticators choose their
 *   own lengths, and keys that wrap the private key into the id use 64 bytes or more. Transports
 *   differ too (`internal` alone, `usb`/`nfc` for security keys). The decoy imitates one common
 *   kind: an account whose passkeys are all of a rarer kind can still be told from it by shape.
 */
export const DECOY_ID_BYTES = 16;
export const DECOY_TRANSPORTS: readonly string[] = ['hybrid', 'internal'];

/** The decoy credentials of an email (canonical form): 1 to 3, the same at every call. */
export function decoyCredentials(hashes: Pick<PasskeyHasher, 'decoyHash'>, email: string): CredentialDescriptor[] {
  const count = decoyCount(hashes.decoyHash(`count\n${email}`)[0]!);
  return Array.from({ length: count }, (_, index) => ({
    id: hashes.decoyHash(`id ${index}\n${email}`).subarray(0, DECOY_ID_BYTES).toString('base64url'),
    transports: DECOY_TRANSPORTS,
  }));
}

/** 1 for 160 of 256 byte values, 2 for 64, 3 for 32. */
function decoyCount(byte: number): number {
  if (byte < 160) return 1;
  return byte < 224 ? 2 : 3;
}
