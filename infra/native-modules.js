'use strict';
// @ts-check
/**
 * Native binaries that esbuild cannot bundle, and the functions whose zips must carry them.
 * The functions run on arm64 Lambda (Amazon Linux, glibc), so each gets the linux-arm64-gnu build,
 * at the version package-lock.json pins, added to its zip by infra/plugins/native-packages.js.
 *
 * Add a function to PASSWORD_HASHING_FUNCTIONS when it hashes or verifies a password (password
 * reset or change, account deletion, MFA disable and recovery codes...): without the binary it
 * answers 500 on its first hash. The binding is loaded on first use (lib/password.ts), so the
 * other functions, which bundle the hasher without calling it, start fine without it.
 */
const PASSWORD_HASHING_FUNCTIONS = ['register', 'login', 'resetPassword', 'changePassword', 'deleteAccount', 'mfaTotpDisable', 'mfaRecoveryCodes', 'reauthenticate'];

/**
 * esbuild leaves every `@node-rs/argon2-<platform>` require as is: see custom.esbuild.exclude.
 * @type {{ name: string, functions: string[] }[]}
 */
const NATIVE_PACKAGES = [{ name: '@node-rs/argon2-linux-arm64-gnu', functions: PASSWORD_HASHING_FUNCTIONS }];

module.exports = { NATIVE_PACKAGES, PASSWORD_HASHING_FUNCTIONS };
