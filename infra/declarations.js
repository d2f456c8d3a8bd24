'use strict';
// @ts-check
/**
 * The functions' declarations (handlers/<name>.function.ts), loaded at package time: esbuild
 * bundles them with the parts they name into one CommonJS module in memory (npm packages stay
 * `require`s; no part is built, only declared), and each becomes a plain record with the union of
 * its parts' needs. infra/functions.js, infra/iam.js and infra/native-modules.js read these.
 */
const { readdirSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const HANDLERS = join(ROOT, 'handlers');
const SUFFIX = '.function.ts';

/** @typedef {import('../lib/compose/declaration').FunctionDeclaration} FunctionDeclaration */
/** @typedef {import('../lib/compose/part').NeedsSummary} NeedsSummary */
/** @typedef {import('../lib/compose/part').Part<unknown>} AnyPart */
/** @typedef {import('../lib/compose/part').Needs} Needs */

/**
 * @typedef {object} LoadedFunction
 * @property {string} file the declaration's file, relative to the project: `handlers/login.function.ts`
 * @property {string} handler serverless.yml's handler: `handlers/login.handler`
 * @property {FunctionDeclaration} declaration
 * @property {AnyPart[]} parts every part the function builds (`parts` and `apart`)
 * @property {(env?: Record<string, string | undefined>) => NeedsSummary} needs its needs in a deployed environment
 */

/** @type {LoadedFunction[] | undefined} */
let loaded;

/** Every declaration under handlers/, in file order. */
function loadDeclarations() {
  if (loaded) return loaded;
  const files = readdirSync(HANDLERS).filter((name) => name.endsWith(SUFFIX)).sort();
  const contents = [
    `export { needsOf } from './lib/compose/part';`,
    `export const declarations = [`,
    ...files.map((name) => `  { file: ${JSON.stringify(name)}, declaration: require(${JSON.stringify(`./handlers/${name}`)}).default },`),
    `];`,
  ].join('\n');
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    stdin: { contents, resolveDir: ROOT, sourcefile: 'declarations.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const filename = join(ROOT, 'infra', '.declarations.js');
  // @ts-expect-error the parent is this module (its type-checked shape is only its exports).
  const bundle = new Module(filename, module);
  bundle.filename = filename;
  // @ts-expect-error Node's internal resolver paths: packages resolve from the project.
  bundle.paths = Module._nodeModulePaths(ROOT);
  // @ts-expect-error compiles the in-memory bundle as that module.
  bundle._compile(result.outputFiles[0].text, filename);
  const { declarations, needsOf } = /** @type {{ declarations: { file: string, declaration: FunctionDeclaration }[], needsOf: (parts: AnyPart[], env?: Record<string, string | undefined>) => NeedsSummary }} */ (bundle.exports);
  loaded = declarations.map(({ file, declaration }) => {
    if (!declaration || typeof declaration !== 'object' || !('kind' in declaration)) throw new Error(`handlers/${file} must export default a declaration (httpFunction, scheduledFunction or authorizerFunction)`);
    const parts = [...Object.values(declaration.parts), ...Object.values(('apart' in declaration && declaration.apart) || {})];
    return {
      file: `handlers/${file}`,
      handler: `handlers/${file.slice(0, -SUFFIX.length)}.handler`,
      declaration,
      parts,
      needs: (env) => needsOf(parts, env),
    };
  });
  return loaded;
}

/**
 * The functions a stack deploys: every declaration but the local-only ones (unless `local`), and
 * one authorizer variant as `authorizer`.
 * @param {{ local?: boolean, sessionCheckAuthorizer: boolean }} options
 */
function deployedFunctions({ local = false, sessionCheckAuthorizer }) {
  return loadDeclarations().filter(({ declaration }) => {
    if (declaration.localOnly && !local) return false;
    if (declaration.kind === 'authorizer') return declaration.variant === (sessionCheckAuthorizer ? 'session-check' : 'stateless');
    return true;
  });
}

module.exports = { loadDeclarations, deployedFunctions };
