import { randomInt } from 'node:crypto';
import type { Keyring } from '../core/keyring';
import { MFA_KEY_SALT } from './mfa-keys';

/**
 * Recovery codes are read off paper and typed by a person, so they look like `7k3mq-x9d2h`:
 * ten characters of Crockford's base32 alphabet (digits and lower-case letters without
 * i, l, o, u), 5 bits each, 50 bits per code. Only keyed hashes are stored; each is single-use,
 * which the store enforces (a conditional delete of the hash).
 *
 * Normalisation forgives what a person plausibly does and nothing more: any letter case, a
 * missing dash, white space around the code, and Crockford's own look-alikes (i and l read as 1,
 * o as 0) since the alphabet was chosen so those can be read back. Anything else, including
 * white space inside the code, is refused.
 */

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUP_LENGTH = 5;
const DEFAULT_COUNT = 10;
const NORMALISED_PATTERN = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;
const TYPED_PATTERN = /^([0-9a-z]{5})-?([0-9a-z]{5})$/;
// Far longer than any plausible typing of a code; bounds the work spent on hostile input.
const MAX_INPUT_LENGTH = 64;
const LOOK_ALIKES: Readonly<Record<string, string>> = { i: '1', l: '1', o: '0' };
const HASH_KEY_INFO = 'recovery-code v1';

/** `count` fresh, distinct recovery codes in the form `xxxxx-xxxxx`. */
export function newRecoveryCodes(count = DEFAULT_COUNT): string[] {
  const codes = new Set<string>();
  // A repeat is astronomically unlikely at 50 bits, but the set makes "distinct" a guarantee.
  while (codes.size < count) codes.add(`${randomGroup()}-${randomGroup()}`);
  return [...codes];
}

function randomGroup(): string {
  let group = '';
  for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
  return group;
}

/** The canonical `xxxxx-xxxxx` form of a typed recovery code, or undefined when it cannot be one. */
export function normaliseRecoveryCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return undefined;
  const match = TYPED_PATTERN.exec(input.trim().toLowerCase());
  if (!match) return undefined;
  const code = `${match[1]}-${match[2]}`.replace(/[ilo]/g, (letter) => LOOK_ALIKES[letter] ?? letter);
  return NORMALISED_PATTERN.test(code) ? code : undefined;
}

/** Thrown when a value that is not a normalised recovery code is given to the hasher (a programming error). */
export class UnnormalisedRecoveryCodeError extends Error {
  override readonly name = 'UnnormalisedRecoveryCodeError';
  constructor() {
    super('Recovery codes must be normalised before hashing.');
  }
}

export interface RecoveryCodeHasher {
  /** The stored form of a normalised recovery code: HMAC-SHA256 under a derived key, base64url. */
  hash(normalisedCode: string): string;
  /** Every hash the code may be stored under: current key first, then the previous one during a rotation. */
  hashes(normalisedCode: string): string[];
}

/** A recovery-code hasher under the keyring's server keys. */
export function createRecoveryCodeHasher(keyring: Keyring): RecoveryCodeHasher {
  const keyed = keyring.purpose(HASH_KEY_INFO, MFA_KEY_SALT);
  // Hashing raw input would silently never match; refuse it loudly instead.
  const normalised = (code: string) => {
    if (!NORMALISED_PATTERN.test(code)) throw new UnnormalisedRecoveryCodeError();
    return code;
  };
  return {
    hash: (normalisedCode) => keyed.hash(normalised(normalisedCode)),
    hashes: (normalisedCode) => keyed.hashes(normalised(normalisedCode)),
  };
}
