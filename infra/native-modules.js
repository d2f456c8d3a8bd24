'use strict';
// @ts-check
/**
 * Native binaries that esbuild cannot bundle, and the functions whose zips must carry them:
 * generated from the parts' needs (a part that loads a native binding, such as the password
 * hasher's @node-rs/argon2, says so). The functions run on arm64 Lambda (Amazon Linux, glibc), so
 * each gets the package's linux-arm64-gnu build, at the version package-lock.json pins, added to
 * its zip by infra/plugins/native-packages.js. The binding is loaded on first use
 * (lib/accounts/password.ts), so a function that bundles the hasher without declaring it starts
 * fine without it.
 */
const { deployedFunctions } = require('./declarations.js');

/** The build of a native package for the functions' platform (serverless.yml: arm64, glibc). */
const LAMBDA_BUILD_SUFFIX = '-linux-arm64-gnu';

/** Every function of the stack that may ship (either authorizer variant), with the native packages its parts need. */
const functions = [...deployedFunctions({ sessionCheckAuthorizer: false }), ...deployedFunctions({ sessionCheckAuthorizer: true }).filter(({ declaration }) => declaration.kind === 'authorizer')];
const nativeOf = new Map(functions.map((fn) => [fn.declaration.name, fn.needs().native]));

/**
 * esbuild leaves every `@node-rs/argon2-<platform>` require as is: see custom.esbuild.exclude.
 * @type {{ name: string, functions: string[] }[]}
 */
const NATIVE_PACKAGES = [...new Set([...nativeOf.values()].flat())].sort().map((name) => ({
  name: `${name}${LAMBDA_BUILD_SUFFIX}`,
  functions: [...nativeOf].filter(([, native]) => native.includes(name)).map(([functionName]) => functionName),
}));

/** The functions that hash or verify a password (argon2id): without the binary they answer 500 on their first hash. */
const PASSWORD_HASHING_FUNCTIONS = NATIVE_PACKAGES.find(({ name }) => name === `@node-rs/argon2${LAMBDA_BUILD_SUFFIX}`)?.functions ?? [];

module.exports = { NATIVE_PACKAGES, PASSWORD_HASHING_FUNCTIONS };
