import { constantTimeEqual } from '../core/crypto';
import type { Algorithm, Options, Version } from '@node-rs/argon2';

/**
 * argon2id with the OWASP parameters (m = 19 MiB, t = 2, p = 1), stored as a PHC string.
 * @node-rs/argon2 is native (Rust): about 7× faster than the WebAssembly build it replaced, with
 * the same PHC strings, so hashes written by either verify with the other. Its per-platform binary
 * is not bundled by esbuild: the packaging adds the linux-arm64-gnu one to the functions that hash
 * (infra/native-modules.js), and everywhere else the host's resolves from node_modules.
 *
 * The binding is loaded on first use, not at import: a function that bundles this module without
 * hashing (through a shared builder) and has no binary in its zip must not fail its cold start
 * over a hash it never computes.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Constant-time check of a password against a PHC string; false for anything malformed. */
  verify(password: string, phc: string): Promise<boolean>;
  /** Costs one full hash, so an unknown email takes as long as a wrong password. */
  verifyAgainstNothing(password: string): Promise<false>;
  /** True when a stored PHC string was not made with the current parameters (or cannot be read): rehash it after a successful login. */
  needsRehash(phc: string): boolean;
}

export interface Argon2Parameters {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Parameters = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

// The const enums of @node-rs/argon2's typings cannot be read under isolatedModules.
const ARGON2ID = 2 as Algorithm;
const VERSIONS: Readonly<Record<string, Version>> = { '16': 0 as Version, '19': 1 as Version };
const CURRENT_VERSION = '19';
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC = /^\$argon2id\$v=(16|19)\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{6,})$/;
// A stored string claiming more memory than this is not ours: refuse it rather than allocate it.
const MAX_MEMORY_KIB = 1024 * 1024;

let binding: Promise<typeof import('@node-rs/argon2')> | undefined;
const argon2 = () => (binding ??= import('@node-rs/argon2'));

interface ParsedPhc {
  readonly version: string;
  readonly parameters: Argon2Parameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parsePhc(phc: string): ParsedPhc | undefined {
  const match = PHC.exec(phc);
  if (!match) return undefined;
  const [, version, m, t, p, salt, hash] = match as unknown as [string, string, string, string, string, string, string];
  return {
    version,
    parameters: { memoryKiB: Number(m), iterations: Number(t), parallelism: Number(p) },
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
}

const sameParameters = (a: Argon2Parameters, b: Argon2Parameters) =>
  a.memoryKiB === b.memoryKiB && a.iterations === b.iterations && a.parallelism === b.parallelism;

// NIST SP 800-63B: normalise Unicode so the same password typed on two keyboards matches.
const normalise = (password: string) => password.normalize('NFKC');

const optionsOf = (parameters: Argon2Parameters, version: string, outputLen: number): Options => ({
  algorithm: ARGON2ID,
  version: VERSIONS[version]!,
  memoryCost: parameters.memoryKiB,
  timeCost: parameters.iterations,
  parallelism: parameters.parallelism,
  outputLen,
});

/** The argon2id hasher used for every stored password, with the given cost (OWASP's by default). */
export function createPasswordHasher(parameters: Argon2Parameters = OWASP_ARGON2ID): PasswordHasher {
  const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');
  const { memoryKiB: m, iterations: t, parallelism: p } = parameters;
  const dummy = `$argon2id$v=${CURRENT_VERSION}$m=${m},t=${t},p=${p}$${toB64(new Uint8Array(SALT_BYTES))}$${toB64(new Uint8Array(HASH_BYTES))}`;

  // Derives with the stored salt and compares here, in constant time, rather than trusting the
  // library's verify to parse strings we did not write.
  const verify = async (password: string, phc: string): Promise<boolean> => {
    const parsed = parsePhc(phc);
    if (!parsed || parsed.parameters.memoryKiB > MAX_MEMORY_KIB) return false;
    // Outside the try: a missing binding is a server fault (a 500), not a wrong password.
    const { hashRaw } = await argon2();
    try {
      const actual = await hashRaw(normalise(password), { ...optionsOf(parsed.parameters, parsed.version, parsed.hash.length), salt: parsed.salt });
      return constantTimeEqual(actual, parsed.hash);
    } catch {
      // Parameters the algorithm refuses (a salt under 8 bytes, m < 8p, t = 0...): not a valid hash.
      return false;
    }
  };

  return {
    async hash(password) {
      const { hash } = await argon2();
      return hash(normalise(password), optionsOf(parameters, CURRENT_VERSION, HASH_BYTES));
    },
    verify,
    async verifyAgainstNothing(password) {
      await verify(password, dummy);
      return false;
    },
    needsRehash(phc) {
      const parsed = parsePhc(phc);
      return !parsed || parsed.version !== CURRENT_VERSION || !sameParameters(parsed.parameters, parameters);
    },
  };
}
