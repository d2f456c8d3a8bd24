'use strict';
// @ts-check
/**
 * How `serverless offline` (npm start, the end-to-end tests, the bench) runs the functions: in
 * serverless-offline's own process (custom.serverless-offline.useInProcess), each from a bundle of
 * this project's code that esbuild builds here in one pass. Packages stay plain `require`s, so one
 * copy of the AWS SDK and the other packages serves every function. The deployed packages are
 * serverless-esbuild's (one minified, self-contained bundle per function); it is not loaded
 * offline (infra/plugins.js).
 *
 * Why: serverless-esbuild built 29 complete bundles one at a time before serverless-offline would
 * start (27-56 s here) and kept an esbuild context per function (1.7-3.5 GB); serverless-offline's
 * worker threads then loaded the SDK again in every instance, one per concurrent call. One build
 * of the project's own code takes about a second, and one process holds one copy of the packages.
 *
 * Each function still gets its own module instances (its configuration, logger, clients), as on
 * Lambda: each has a bundle of its own, even two functions with the same handler file. The process
 * environment is shared: serverless-offline assigns a function's variables before each call, so a
 * variable that only other functions define (their own `environment:`) is removed before this
 * function's code loads and before each of its calls.
 *
 * When a source file changes (any folder of the service but node_modules, test, docs, bench and
 * dot-folders), the bundles are built again and dropped from the require cache: the next call runs
 * the new code. The demo page, which a handler bundles at its cold start, reloads the same way.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, watch, writeFileSync } = require('node:fs');
const { connect } = require('node:net');
const { dirname, join, relative, resolve } = require('node:path');
const { entryModule, foreignVariables, sourceOf, splitHandler } = require('./offline-entries.js');

const ENTRY_NAMESPACE = 'offline-function';
const MANIFEST = 'manifest.json';
/** Top-level folders whose changes never change a function. */
const NOT_WATCHED = new Set(['node_modules', 'test', 'docs', 'bench', 'coverage', 'dist']);
const WATCHED_FILE = /\.(?:[cm]?[jt]s|json|css|html)$/;
const SETTLE_MS = 150;

class OfflineFunctions {
  /** @param {import('../types').Serverless} serverless */
  constructor(serverless) {
    this.serverless = serverless;
    /** @type {Map<string, { source: string, exportPath: string, foreign: string[] }>} */
    this.entries = new Map();
    this.outdir = '';
    this.target = '';
    /** @type {Promise<void> | undefined} */
    this.building = undefined;
    this.changedWhileBuilding = false;
    this.hooks = {
      'before:offline:start:init': () => this.prepare(),
      'before:offline:start': () => this.prepare(),
    };
  }

  async prepare() {
    if (this.outdir) return;
    const { serverless } = this;
    const { service, serviceDir } = serverless;
    const functions = service.functions ?? {};
    const custom = /** @type {Record<string, any>} */ (service.custom ?? {});
    const workFolder = custom.esbuild?.outputWorkFolder ?? '.esbuild';
    this.target = custom.esbuild?.target ?? 'node24';
    for (const [key, fn] of Object.entries(functions)) {
      if (!fn.handler) continue;
      const { modulePath, exportPath } = splitHandler(fn.handler);
      this.entries.set(key, { source: sourceOf(serviceDir, modulePath), exportPath, foreign: foreignVariables(functions, service.provider.environment, key) });
    }
    // A folder per recipe: servers started side by side with other functions (another authorizer,
    // the MFA one) never load each other's bundles; the same recipe shares its bundles.
    const recipeHash = createHash('sha256').update(JSON.stringify(this.recipe())).digest('hex').slice(0, 12);
    this.outdir = resolve(serviceDir, workFolder, 'offline', recipeHash);
    mkdirSync(this.outdir, { recursive: true });
    for (const [key, fn] of Object.entries(functions)) if (this.entries.has(key)) fn.handler = `${relative(serviceDir, join(this.outdir, key))}.handler`;
    await removeStaleSocket(custom['serverless-offline']?.lambdaPort);
    const started = Date.now();
    const built = this.upToDate() ? 'up to date' : (await this.build(), 'built');
    console.log(
      `offline: ${this.entries.size} functions ${built} in ${Date.now() - started} ms (${relative(serviceDir, this.outdir)}); they run in this process, on Node ${process.version}`,
    );
    this.watchSources();
  }

  /** What the bundles are built from besides their input files; a change means a new build. */
  recipe() {
    return { target: this.target, entries: Object.fromEntries(this.entries) };
  }

  /** Whether the last build (its manifest) is of these entries and no input has changed since. */
  upToDate() {
    try {
      const manifest = JSON.parse(readFileSync(join(this.outdir, MANIFEST), 'utf8'));
      if (JSON.stringify(manifest.recipe) !== JSON.stringify(this.recipe())) return false;
      if (![...this.entries.keys()].every((key) => existsSync(join(this.outdir, `${key}.js`)))) return false;
      return Object.entries(/** @type {Record<string, string>} */ (manifest.inputs)).every(([file, stamp]) => stampOf(file) === stamp);
    } catch {
      return false;
    }
  }

  /** Rebuilds shortly after a source file changes (once more if it changes during a build). */
  watchSources() {
    const { serviceDir } = this.serverless;
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const changed = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.rebuild(), SETTLE_MS);
    };
    for (const entry of readdirSync(serviceDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || NOT_WATCHED.has(entry.name)) continue;
      watch(join(serviceDir, entry.name), { recursive: true, persistent: false }, (_event, file) => {
        if (file && WATCHED_FILE.test(file)) changed();
      });
    }
  }

  async rebuild() {
    if (this.building) {
      this.changedWhileBuilding = true;
      return;
    }
    const started = Date.now();
    this.building = this.build();
    try {
      await this.building;
      for (const key of this.entries.keys()) delete require.cache[join(this.outdir, `${key}.js`)];
      console.log(`offline: rebuilt in ${Date.now() - started} ms; the next call of each function loads the new code`);
    } catch (error) {
      // The previous bundles keep serving; the next change tries again.
      console.error(`offline: the build failed, the previous code keeps running:\n${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.building = undefined;
    }
    if (this.changedWhileBuilding) {
      this.changedWhileBuilding = false;
      await this.rebuild();
    }
  }

  async build() {
    /** @type {typeof import('esbuild')} */
    const esbuild = require('esbuild');
    const { serviceDir } = this.serverless;
    const entries = this.entries;
    const { outputFiles, metafile } = await esbuild.build({
      entryPoints: Object.fromEntries([...entries.keys()].map((key) => [key, `${ENTRY_NAMESPACE}:${key}`])),
      outdir: this.outdir,
      bundle: true,
      // Packages load from node_modules, once for every function (the deployed bundles include them).
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: this.target,
      logLevel: 'warning',
      absWorkingDir: serviceDir,
      write: false,
      metafile: true,
      plugins: [
        {
          name: ENTRY_NAMESPACE,
          setup(build) {
            build.onResolve({ filter: new RegExp(`^${ENTRY_NAMESPACE}:`) }, ({ path }) => ({ path: path.slice(ENTRY_NAMESPACE.length + 1), namespace: ENTRY_NAMESPACE }));
            build.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, ({ path }) => {
              const entry = entries.get(path);
              if (!entry) throw new Error(`no function "${path}"`);
              return { contents: entryModule(entry), loader: 'js', resolveDir: serviceDir };
            });
          },
        },
      ],
    });
    // Its service process would otherwise keep about 50 MB between builds; the next call starts it again.
    esbuild.stop();
    // Renamed into place: a call that loads a bundle meanwhile reads the old one or the new one, whole.
    const manifest = { recipe: this.recipe(), inputs: Object.fromEntries(Object.keys(metafile.inputs).map((file) => resolve(serviceDir, file)).filter((file) => existsSync(file)).map((file) => [file, stampOf(file)])) };
    const files = [...outputFiles.map(({ path, contents }) => ({ path, contents })), { path: join(this.outdir, MANIFEST), contents: JSON.stringify(manifest) }];
    for (const { path, contents } of files) {
      writeFileSync(`${path}.${process.pid}.tmp`, contents);
      renameSync(`${path}.${process.pid}.tmp`, path);
    }
  }
}

/**
 * serverless-offline's Lambda Invoke API listens on a Unix socket when its lambdaPort is a path
 * (serverless.yml). A socket file left by a run that was killed would make it fail to start: it is
 * removed when nothing answers on it. Its folder is made if missing.
 * @param {unknown} lambdaPort
 */
async function removeStaleSocket(lambdaPort) {
  if (typeof lambdaPort !== 'string' || !lambdaPort.includes('/')) return;
  const path = resolve(lambdaPort);
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path) || !statSync(path).isSocket()) return;
  const alive = await new Promise((answer) => {
    const socket = connect(path, () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', () => answer(false));
  });
  if (!alive) unlinkSync(path);
}

/**
 * A file's size and modification time, to notice a change.
 * @param {string} file
 */
function stampOf(file) {
  try {
    const { size, mtimeMs } = statSync(file);
    return `${size}:${mtimeMs}`;
  } catch {
    return 'missing';
  }
}

module.exports = OfflineFunctions;
