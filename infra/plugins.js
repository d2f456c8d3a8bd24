'use strict';
// @ts-check
/**
 * serverless.yml's plugins, which depend on the command.
 *
 * `serverless offline` (npm start, the end-to-end tests, the bench) loads only serverless-offline
 * and three local plugins: offline-functions (how the functions are built and run), offline-cors
 * (CORS answers as API Gateway gives them) and offline-gateway-responses (the authorizer's 401 and
 * 403 as the gateway responses of infra/gateway.js give them). serverless-esbuild, which builds the
 * deployed packages, is not even loaded there: loading it (with its dependencies) cost serverless
 * about 2 s of CPU and 140 MB at every start, for nothing offline.
 *
 * Every other command (package, deploy...) gets the packaging plugins, in this order:
 * serverless-esbuild bundles each function; serverless-offline (its commands only);
 * api-stage-settings adds the stage's throttling; native-packages, after serverless-esbuild, adds
 * the arm64 argon2 binary to the zips of infra/native-modules.js.
 */

const OFFLINE = ['./infra/plugins/offline-functions.js', './infra/plugins/offline-cors.js', './infra/plugins/offline-gateway-responses.js', 'serverless-offline'];
const PACKAGING = ['serverless-esbuild', 'serverless-offline', './infra/plugins/api-stage-settings.js', './infra/plugins/native-packages.js'];

/**
 * The command serverless runs (`offline` for `serverless offline start`), from its arguments.
 * @param {readonly string[]} argv
 */
function commandOf(argv) {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/**
 * For serverless.yml: `plugins: ${file(./infra/plugins.js):plugins}`.
 * @param {unknown} [_sources]
 * @param {readonly string[]} [argv]
 * @returns {string[]}
 */
function plugins(_sources, argv = process.argv) {
  return commandOf(argv) === 'offline' ? [...OFFLINE] : [...PACKAGING];
}

module.exports = { plugins, commandOf, OFFLINE, PACKAGING };
