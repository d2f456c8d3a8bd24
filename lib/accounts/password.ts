import { randomBytes, timingSafeEqual } from 'node:crypto';
import { argon2id } from 'hash-wasm';

/**
 * argon2id with the OWASP parameters (m = 19 MiB, t = 2, p = 1), stored as a PHC string.
 * hash-wasm is WebAssembly: the deployed bundle runs the same on x86_64 and arm64 Lambda,
 * whatever machine ran `serverless deploy`, with no native binary to select.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time check of a password against a PHC string; false for anything malformed. */
  verify(password: string, phc: string): Promise<boolean>;
  /** Costs one full hash, so an unknown email takes as long as a wrong password. */
  verifyAgainstNothing(password: string): Promise<false>;
  /** True when a stored hash was made with other parameters than today's (rehash it after a login). */
  needsRehash(phc: string): boolean;
}

export interface Argon2Parameters {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Parameters = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function createPasswordHasher(parameters: Argon2Parameters = OWASP_ARGON2ID): PasswordHasher {
  const derive = async (password: string, salt: Uint8Array, params: Argon2Parameters, length: number) =>
    argon2id({
      // NIST SP 800-63B: normalise Unicode so the same password typed on two keyboards matches.
      password: password.normalize('NFKC'),
      salt,
      memorySize: params.memoryKiB,
      iterations: params.iterations,
      parallelism: params.parallelism,
      hashLength: length,
      outputType: 'binary',
    });
  const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
  const dummy = `$argon2id$v=19$m=${parameters.memoryKiB},t=${parameters.iterations},p=${parameters.parallelism}$${toB64(
    new Uint8Array(SALT_BYTES),
  )}$${toB64(new Uint8Array(HASH_BYTES))}`;

  const verify = async (password: string, phc: string): Promise<boolean> => {
    const match = PHC.exec(phc);
    if (!match) return false;
    const [, m, t, p, saltB64, hashB64] = match as unknown as [string, string, string, string, string, string];
    const expected = Buffer.from(hashB64, 'base64');
    const params = { memoryKiB: Number(m), iterations: Number(t), parallelism: Number(p) };
    const actual = await derive(password, Buffer.from(saltB64, 'base64'), params, expected.length);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };

  return {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      const hash = await derive(password, salt, parameters, HASH_BYTES);
      const { memoryKiB: m, iterations: t, parallelism: p } = parameters;
      return `$argon2id$v=19$m=${m},t=${t},p=${p}$${toB64(salt)}$${toB64(hash)}`;
    },
    verify,
    needsRehash(phc) {
      const { memoryKiB: m, iterations: t, parallelism: p } = parameters;
      return !phc.startsWith(`$argon2id$v=19$m=${m},t=${t},p=${p}$`);
    },
    async verifyAgainstNothing(password) {
      await verify(password, dummy);
      return false;
    },
  };
}
