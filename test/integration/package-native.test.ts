import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { readZip } from '../../bench/zip';
import { NATIVE_PACKAGES, PASSWORD_HASHING_FUNCTIONS } from '../../infra/native-modules.js';
import { readTarball } from '../../infra/plugins/archive.js';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = '@node-rs/argon2-linux-arm64-gnu';
const BINARY = `node_modules/${PACKAGE}/argon2.linux-arm64-gnu.node`;
const EM_AARCH64 = 0xb7;
const PLACEHOLDER_KEYS = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'placeholder-x', y: 'placeholder-y', kid: 'placeholder', alg: 'ES256', use: 'sig' }] });
const PLACEHOLDER_ID_TOKEN_KEYS = JSON.stringify({ keys: [{ kty: 'RSA', e: 'AQAB', n: 'placeholder-n', kid: 'id-placeholder', alg: 'RS256', use: 'sig' }] });
// Build output and local state: the snapshot gets neither (as in bench/package.ts).
const NOT_COPIED = new Set(['node_modules', '.git', '.serverless', '.esbuild', '.build', '.dynamodb', '.keys', 'coverage', 'docs']);

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const locked = lock.packages[`node_modules/${PACKAGE}`] as { version: string; integrity: string };

/** The ELF header fields that matter: 64-bit class, little-endian, and e_machine. */
function elfHeader(bytes: Buffer) {
  return { magic: bytes.subarray(0, 4).toString('latin1'), elfClass: bytes[4], littleEndian: bytes[5] === 1, machine: bytes.readUInt16LE(18) };
}

// `serverless package` runs in a snapshot of the repository: serverless moves artifacts through
// the service's own .serverless/, which another packaging test may be using at the same moment.
describe('native argon2 in the packaged functions (stage prod, arm64)', () => {
  let directory: string;
  let output: string;
  let zips: Map<string, Map<string, Buffer>>;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'jwt-auth-native-'));
    const snapshot = join(directory, 'service');
    output = join(directory, 'artifacts');
    cpSync(ROOT, snapshot, { recursive: true, filter: (source) => !NOT_COPIED.has(relative(ROOT, source).split(sep)[0] ?? '') });
    symlinkSync(join(ROOT, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
    // Shares the repository's tarball cache, so only the first run ever calls npm pack.
    mkdirSync(join(ROOT, '.build', 'native'), { recursive: true });
    mkdirSync(join(snapshot, '.build'));
    symlinkSync(join(ROOT, '.build', 'native'), join(snapshot, '.build', 'native'), 'dir');

    const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', CORS_ALLOWED_ORIGINS: 'https://app.example.com', JWT_ISSUER: 'https://auth.example.com', EMAIL_FROM: 'no-reply@auth.example.com', APP_BASE_URL: 'https://app.example.com/account' };
    for (const name of ['AUTH_LOCAL_DEV', 'JWT_PRIVATE_KEY', 'REFRESH_TOKEN_HASH_KEY', 'AUTHORIZER_CHECK_SESSION', 'JWT_ALG', 'ESBUILD_WORK_FOLDER']) delete env[name];
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--stage', 'prod', '--package', output, `--param=verificationKeys=${PLACEHOLDER_KEYS}`, `--param=idTokenPublicKeys=${PLACEHOLDER_ID_TOKEN_KEYS}`],
      { cwd: snapshot, env, maxBuffer: 16 * 1024 * 1024 },
    );
    const state = JSON.parse(readFileSync(join(output, 'serverless-state.json'), 'utf8')) as { service: { functions: Record<string, unknown> } };
    zips = new Map(Object.keys(state.service.functions).map((name) => [name, readZip(join(output, `${name}.zip`))]));
  }, 180_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('lists login and register as the functions that hash passwords', () => {
    expect(PASSWORD_HASHING_FUNCTIONS).toEqual(expect.arrayContaining(['login', 'register']));
    expect(NATIVE_PACKAGES).toContainEqual({ name: PACKAGE, functions: PASSWORD_HASHING_FUNCTIONS });
  });

  it.each(['login', 'register'])('%s.zip carries an aarch64 ELF64 argon2 binding where its bundle requires it', (name) => {
    const files = zips.get(name)!;
    const binary = files.get(BINARY);
    expect(binary).toBeDefined();
    expect(elfHeader(binary!)).toEqual({ magic: '\x7fELF', elfClass: 2, littleEndian: true, machine: EM_AARCH64 });
    expect(JSON.parse(files.get(`node_modules/${PACKAGE}/package.json`)!.toString('utf8'))).toMatchObject({
      name: PACKAGE,
      version: locked.version,
      main: 'argon2.linux-arm64-gnu.node',
    });
    // esbuild left the require in place: at /var/task/handlers/<name>.js it resolves to /var/task/node_modules.
    expect(files.get(`handlers/${name}.js`)!.toString('utf8')).toContain(`require("${PACKAGE}")`);
  });

  it('adds the very binary of the tarball that package-lock.json pins (sha512 integrity)', () => {
    const tarball = readFileSync(join(ROOT, '.build', 'native', `node-rs-argon2-linux-arm64-gnu-${locked.version}.tgz`));
    expect(`sha512-${createHash('sha512').update(tarball).digest('base64')}`).toBe(locked.integrity);
    const fromTarball = readTarball(tarball).get('package/argon2.linux-arm64-gnu.node');
    expect(fromTarball).toBeDefined();
    for (const name of PASSWORD_HASHING_FUNCTIONS) expect(zips.get(name)!.get(BINARY)!.equals(fromTarball!)).toBe(true);
  });

  it('gives the binding to no other function: the stateless authorizer zip holds only its bundle', () => {
    expect([...zips.get('authorizer')!.keys()]).toEqual(['handlers/authorizer.js']);
    for (const [name, files] of zips) {
      const hasNative = [...files.keys()].some((file) => file.startsWith('node_modules/') || file.endsWith('.node'));
      expect({ name, hasNative }).toEqual({ name, hasNative: PASSWORD_HASHING_FUNCTIONS.includes(name) });
    }
  });
});
