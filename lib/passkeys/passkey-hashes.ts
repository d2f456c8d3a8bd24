import { createHmac } from 'node:crypto';
import { constantTimeEqual, deriveKey } from '../core/crypto';

/**
 * Keyed hashes (HMAC-SHA256 under keys derived from the server hash key) for passkey ceremonies:
 * - the storage key of a challenge, from its id (login: the opaque `challenge_id`; registration:
 *   the challenge itself, which the client sends back inside clientDataJSON);
 * - the stored form of a challenge, compared with the challenge the client signed;
 * - the decoy credentials shown for an email that has no passkey (decoy-credentials.ts), so the
 *   answer is stable per email and looks like one for a real account.
 */
export interface PasskeyHasher {
  challengeKey(challengeId: string): string;
  challengeHash(challenge: string): string;
  /** Constant-time: does `challenge` hash to `storedHash`? */
  challengeMatches(challenge: string, storedHash: string): boolean;
  /** HMAC-SHA256 of `value` under the decoy key: what decoy credentials are derived from. */
  decoyHash(value: string): Buffer;
}

// A fixed salt keeps these keys apart from any other HKDF use of the same server key.
const SALT = 'jwt-auth-service/passkeys';

const derive = (serverKey: Buffer, purpose: string) => deriveKey(serverKey, purpose, SALT);

export function createPasskeyHasher(serverKey: Buffer): PasskeyHasher {
  const keys = {
    challengeId: derive(serverKey, 'challenge-id'),
    challenge: derive(serverKey, 'challenge'),
    decoy: derive(serverKey, 'decoy-credential'),
  };
  const mac = (key: Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest();
  return {
    challengeKey: (challengeId) => mac(keys.challengeId, challengeId).toString('base64url'),
    challengeHash: (challenge) => mac(keys.challenge, challenge).toString('base64url'),
    challengeMatches(challenge, storedHash) {
      const expected = Buffer.from(storedHash, 'base64url');
      const actual = mac(keys.challenge, challenge);
      return constantTimeEqual(expected, actual);
    },
    decoyHash: (value) => mac(keys.decoy, value),
  };
}
