'use strict';
// @ts-check
/**
 * The entry module of each function's offline bundle (infra/plugins/offline-functions.js), as
 * pure functions of serverless.yml's functions.
 */
const { existsSync } = require('node:fs');
const { resolve } = require('node:path');

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];

/**
 * A handler string (`handlers/login.handler`) split into its module and the export path in it.
 * @param {string} handler
 */
function splitHandler(handler) {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot < 0) throw new Error(`handler "${handler}" names no export (expected <file>.<export>)`);
  return { modulePath: handler.slice(0, dot), exportPath: handler.slice(dot + 1) };
}

/**
 * The source file of a handler's module, as serverless-esbuild finds it.
 * @param {string} serviceDir
 * @param {string} modulePath
 */
function sourceOf(serviceDir, modulePath) {
  for (const extension of SOURCE_EXTENSIONS) {
    const file = resolve(serviceDir, modulePath + extension);
    if (existsSync(file)) return file;
  }
  throw new Error(`no source for handler module "${modulePath}" (tried ${SOURCE_EXTENSIONS.join(', ')})`);
}

/**
 * The variables a function must not see: those set only by other functions' `environment:`.
 * @param {Record<string, import("../types").ServerlessFunction>} functions
 * @param {Record<string, unknown> | undefined} providerEnvironment
 * @param {string} key
 */
function foreignVariables(functions, providerEnvironment, key) {
  const own = new Set([...Object.keys(providerEnvironment ?? {}), ...Object.keys(functions[key]?.environment ?? {})]);
  const others = Object.entries(functions).flatMap(([other, fn]) => (other === key ? [] : Object.keys(fn.environment ?? {})));
  return [...new Set(others)].filter((name) => !own.has(name)).sort();
}

/**
 * The entry module of one function's bundle: it forgets the foreign variables, loads the handler's
 * module and exports its handler as `handler`.
 * @param {{ source: string, exportPath: string, foreign: string[] }} entry
 */
function entryModule({ source, exportPath, foreign }) {
  return [
    `const foreign = ${JSON.stringify(foreign)};`,
    'const forget = () => { for (const name of foreign) delete process.env[name]; };',
    'forget();',
    `const code = require(${JSON.stringify(source)});`,
    `const target = ${JSON.stringify(exportPath.split('.'))}.reduce((value, name) => value?.[name], code);`,
    `if (typeof target !== 'function') throw new Error(${JSON.stringify(`${exportPath} is not a function exported by ${source}`)});`,
    // Each answer goes to infra/plugins/offline-gateway-responses.js, which needs the authorizer's context.
    `const answered = (result) => { const hook = globalThis[Symbol.for('jwt-auth.offline.function-answer')]; return typeof hook === 'function' && result && typeof result.then === 'function' ? result.then((value) => { hook(value); return value; }) : result; };`,
    'exports.handler = function handler(event, context, callback) { forget(); return answered(target.call(this, event, context, callback)); };',
    '',
  ].join('\n');
}

module.exports = { splitHandler, sourceOf, foreignVariables, entryModule, SOURCE_EXTENSIONS };
