import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '../core/crypto';
import { MFA_KEY_SALT } from './mfa-keys';

/**
 * Encryption at rest for TOTP secrets: AES-256-GCM under a key derived from the server key,
 * with the user id as associated data, so a sealed secret copied onto another account's item
 * does not open. Sealed form: `v1.<iv>.<ciphertext>.<tag>`, each part base64url; the version
 * prefix leaves room for a later key or algorithm.
 */
export interface SecretBox {
  /** Encrypts `plaintext`, bound to `associatedData` (the user id). */
  seal(plaintext: string, associatedData: string): string;
  /** Decrypts a sealed value; throws SealedSecretError unless it is intact, ours and bound to `associatedData`. */
  open(sealed: string, associatedData: string): string;
}

/** Why a sealed value did not open: not in our format, or it fails authentication (tampered, other key, other user). */
export type SealedSecretFailure = 'malformed' | 'unauthentic';

/** A sealed secret that cannot be opened; never carries the sealed text. */
export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
  constructor(readonly code: SealedSecretFailure, options?: { cause?: unknown }) {
    super(code === 'malformed' ? 'The sealed secret is not in the expected format.' : 'The sealed secret failed authentication.', options);
  }
}

const KEY_INFO = 'totp-secret v1';
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED_PATTERN = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

/** A SecretBox keyed from the server key. */
export function createSecretBox(serverKey: Buffer): SecretBox {
  const key = deriveKey(serverKey, KEY_INFO, MFA_KEY_SALT);
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed, associatedData) {
      const [iv, ciphertext, tag] = parseSealed(sealed);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new SealedSecretError('unauthentic', { cause: error });
      }
    },
  };
}

function parseSealed(sealed: string): [Buffer, Buffer, Buffer] {
  const match = typeof sealed === 'string' ? SEALED_PATTERN.exec(sealed) : null;
  if (!match) throw new SealedSecretError('malformed');
  const parts = match.slice(1).map((text) => [text, Buffer.from(text, 'base64url')] as const);
  // Only canonical base64url: another spelling of the same bytes is not ours.
  if (parts.some(([text, bytes]) => bytes.toString('base64url') !== text)) throw new SealedSecretError('malformed');
  const [iv, ciphertext, tag] = parts.map(([, bytes]) => bytes) as [Buffer, Buffer, Buffer];
  return [iv, ciphertext, tag];
}
