import type { Keyring } from '../core/keyring';

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
  /** Every key a challenge may be stored under: current server key first, then the previous one during a rotation. */
  challengeKeys(challengeId: string): string[];
  challengeHash(challenge: string): string;
  /** Constant-time: does `challenge` hash to `storedHash`? */
  challengeMatches(challenge: string, storedHash: string): boolean;
  /** HMAC-SHA256 of `value` under the decoy key: what decoy credentials are derived from. */
  decoyHash(value: string): Buffer;
}

// A fixed salt keeps these keys apart from any other HKDF use of the same server key.
const SALT = 'jwt-auth-service/passkeys';

/** Passkey hashes under the keyring's server keys; decoys use the current key only (they are never stored). */
export function createPasskeyHasher(keyring: Keyring): PasskeyHasher {
  const challengeIds = keyring.purpose('challenge-id', SALT);
  const challenges = keyring.purpose('challenge', SALT);
  const decoys = keyring.purpose('decoy-credential', SALT);
  return {
    challengeKey: (challengeId) => challengeIds.hash(challengeId),
    challengeKeys: (challengeId) => challengeIds.hashes(challengeId),
    challengeHash: (challenge) => challenges.hash(challenge),
    challengeMatches: (challenge, storedHash) => challenges.matches(storedHash, challenge),
    decoyHash: (value) => decoys.digest([value]),
  };
}
