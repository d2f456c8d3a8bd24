'use strict';
// @ts-check
/**
 * Puts prebuilt native packages (infra/native-modules.js) into the zips of the functions that need
 * them, after serverless-esbuild has packaged them. esbuild leaves `require('<package>')` in the
 * bundle (custom.esbuild.exclude), so on Lambda it resolves to /var/task/node_modules/<package>.
 *
 * The package is the one package-lock.json pins: `npm pack <name>@<locked version>` fetches its
 * tarball into .build/native/ (git-ignored, reused by later runs), which must match the lock's
 * sha512 integrity, and the `.node` inside must be an ELF for the functions' architecture. Local
 * runs (serverless-offline, tests) never come here: they load the host's build from node_modules.
 */
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { basename, isAbsolute, join } = require('node:path');
const { NATIVE_PACKAGES } = require('../native-modules.js');
const { appendToZip, readTarball } = require('./archive.js');

const CACHE_FOLDER = join('.build', 'native');
// ELF e_machine values, by Lambda architecture.
const ELF_MACHINE = { arm64: 0xb7, x86_64: 0x3e };

class NativePackages {
  /**
   * @param {import('../types').Serverless} serverless
   * @param {unknown} _options
   * @param {import('../types').PluginUtils} [utils]
   */
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'after:package:createDeploymentArtifacts': () => this.addToArtifacts(),
      'after:deploy:function:packageFunction': () => this.addToArtifacts(),
    };
  }

  addToArtifacts() {
    const { service } = this.serverless;
    const { serviceDir } = this.serverless;
    const definitions = service.functions ?? {};
    for (const { name, functions } of NATIVE_PACKAGES) {
      const unknown = functions.filter((fn) => !definitions[fn]);
      if (unknown.length) throw new Error(`infra/native-modules.js lists ${unknown.join(', ')} for ${name}, but serverless.yml has no such function`);
      // `deploy function -f x` packages one function only.
      const packaged = functions.flatMap((fn) => {
        const artifact = definitions[fn]?.package?.artifact;
        const architecture = definitions[fn]?.architecture ?? service.provider.architecture ?? 'x86_64';
        return artifact ? [{ fn, artifact, architecture }] : [];
      });
      if (!packaged.length) continue;
      for (const { fn, architecture } of packaged) {
        if (architecture !== 'arm64') throw new Error(`${fn} runs on ${architecture}, but ${name} is an arm64 build`);
      }
      const files = nativeFiles(serviceDir, name, ELF_MACHINE.arm64);
      for (const { artifact } of packaged) {
        const path = isAbsolute(artifact) ? artifact : join(serviceDir, artifact);
        const updated = appendToZip(readFileSync(path), files);
        // Renamed into place, so a reader never sees half a zip.
        writeFileSync(`${path}.tmp-${process.pid}`, updated);
        renameSync(`${path}.tmp-${process.pid}`, path);
        this.log?.verbose?.(`${name} added to ${basename(path)}`);
      }
    }
  }
}

/**
 * The package's package.json and .node files, as zip entries under node_modules/<name>/.
 * @param {string} serviceDir
 * @param {string} name
 * @param {number} machine ELF e_machine
 * @returns {[string, Buffer][]}
 */
function nativeFiles(serviceDir, name, machine) {
  const { version, integrity } = lockedPackage(serviceDir, name);
  const tarball = fetchTarball(serviceDir, name, version, integrity);
  const entries = [...readTarball(tarball)].filter(([path]) => path === 'package/package.json' || /^package\/[^/]+\.node$/.test(path));
  const binaries = entries.filter(([path]) => path.endsWith('.node'));
  if (!binaries.length) throw new Error(`${name}@${version} holds no .node file`);
  for (const [path, content] of binaries) {
    const found = elfMachine(content);
    if (found !== machine) throw new Error(`${name}@${version}: ${path} is not an ELF64 for machine 0x${machine.toString(16)} (found ${found})`);
  }
  return entries.map(([path, content]) => [`node_modules/${name}/${path.slice('package/'.length)}`, content]);
}

/**
 * The version and sha512 integrity package-lock.json pins for a package.
 * @param {string} serviceDir
 * @param {string} name
 * @returns {{ version: string, integrity: string }}
 */
function lockedPackage(serviceDir, name) {
  const lock = JSON.parse(readFileSync(join(serviceDir, 'package-lock.json'), 'utf8'));
  const entry = lock.packages?.[`node_modules/${name}`];
  const integrity = entry?.integrity?.split(/\s+/).find((/** @type {string} */ hash) => hash.startsWith('sha512-'));
  if (!entry?.version || !integrity) throw new Error(`package-lock.json pins no version with a sha512 integrity for ${name}`);
  return { version: entry.version, integrity };
}

/** @param {Buffer} bytes */
const integrityOf = (bytes) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;

/**
 * The package's tarball, from .build/native/ or `npm pack`, checked against its integrity.
 * @param {string} serviceDir
 * @param {string} name
 * @param {string} version
 * @param {string} integrity
 * @returns {Buffer}
 */
function fetchTarball(serviceDir, name, version, integrity) {
  const cache = join(serviceDir, CACHE_FOLDER);
  const cached = join(cache, `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`);
  if (existsSync(cached)) {
    const bytes = readFileSync(cached);
    if (integrityOf(bytes) === integrity) return bytes;
    rmSync(cached, { force: true });
  }
  mkdirSync(cache, { recursive: true });
  // A folder of its own, then a rename: parallel packagings never read a half-written tarball.
  const scratch = mkdtempSync(join(cache, 'pack-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFileSync(npm, ['pack', `${name}@${version}`, '--pack-destination', scratch, '--ignore-scripts', '--silent'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      shell: process.platform === 'win32',
    });
    const [file] = readdirSync(scratch).filter((entry) => entry.endsWith('.tgz'));
    if (!file) throw new Error(`npm pack ${name}@${version} wrote no tarball`);
    const bytes = readFileSync(join(scratch, file));
    const actual = integrityOf(bytes);
    if (actual !== integrity) throw new Error(`${name}@${version}: the tarball's integrity ${actual} is not package-lock.json's ${integrity}`);
    renameSync(join(scratch, file), cached);
    return bytes;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * e_machine of a 64-bit little-endian ELF file, or undefined for anything else.
 * @param {Buffer} bytes
 * @returns {number | undefined}
 */
function elfMachine(bytes) {
  const isElf64LittleEndian = bytes.length > 20 && bytes.readUInt32BE(0) === 0x7f454c46 && bytes[4] === 2 && bytes[5] === 1;
  return isElf64LittleEndian ? bytes.readUInt16LE(18) : undefined;
}

module.exports = Object.assign(NativePackages, { elfMachine });
