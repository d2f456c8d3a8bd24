import { createKeyring } from '../core/keyring';
import { createMfaTokenCodec, type MfaTokenCodec } from './mfa-token';
import { createRecoveryCodeHasher } from './recovery-codes';
import { SealedSecretError, createSecretBox, type SecretBox } from './secret-box';

/**
 * The keyed parts of MFA, from the server key (the hash key) and, during a rotation, the
 * previous one: secrets sealed and recovery codes hashed under the previous key keep working
 * until the account next enrols or replaces its codes. New values always use the current key.
 */
export interface MfaCrypto {
  /** Seals a TOTP secret for a user (current key). */
  sealSecret(secret: string, userId: string): string;
  /** Opens a sealed TOTP secret with the current key, else the previous one; throws SealedSecretError. */
  openSecret(sealed: string, userId: string): string;
  /** The stored hash of a normalised recovery code (current key). */
  hashRecoveryCode(normalisedCode: string): string;
  /** Every hash the code may be stored under (current key first). */
  recoveryCodeHashes(normalisedCode: string): string[];
  readonly tokens: MfaTokenCodec;
}

/** MfaCrypto from the current server key and, during a key rotation, the previous one. */
export function createMfaCrypto(currentKey: Buffer, previousKey?: Buffer): MfaCrypto {
  const boxes: SecretBox[] = [createSecretBox(currentKey), ...(previousKey ? [createSecretBox(previousKey)] : [])];
  // Sealing needs the raw keys; the keyed hashes come from the one keyring implementation.
  const keyring = createKeyring(currentKey, previousKey);
  const recoveryCodes = createRecoveryCodeHasher(keyring);
  return {
    sealSecret: (secret, userId) => boxes[0]!.seal(secret, userId),
    openSecret(sealed, userId) {
      let failure: unknown;
      for (const box of boxes) {
        try {
          return box.open(sealed, userId);
        } catch (error) {
          if (!(error instanceof SealedSecretError)) throw error;
          failure = error;
        }
      }
      throw failure;
    },
    hashRecoveryCode: (code) => recoveryCodes.hash(code),
    recoveryCodeHashes: (code) => recoveryCodes.hashes(code),
    tokens: createMfaTokenCodec(keyring),
  };
}
