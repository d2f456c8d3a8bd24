import { hashRaw } from '@node-rs/argon2';
import { argon2id as wasmArgon2id, argon2Verify as wasmArgon2Verify } from 'hash-wasm';
import { randomBytes } from 'node:crypto';
import { createPasswordHasher, OWASP_ARGON2ID } from '../../lib/accounts/password';

jest.mock('@node-rs/argon2', () => {
  const actual = jest.requireActual('@node-rs/argon2');
  return { ...actual, hashRaw: jest.fn(actual.hashRaw) };
});

// hash-wasm (WebAssembly, an independent implementation) is the oracle: the stored format must
// stay readable by both, in both directions.
const wasmPhc = (password: string, { memoryKiB, iterations, parallelism } = OWASP_ARGON2ID) =>
  wasmArgon2id({ password, salt: randomBytes(16), memorySize: memoryKiB, iterations, parallelism, hashLength: 32, outputType: 'encoded' });

describe('password hashing (argon2id, @node-rs/argon2)', () => {
  const hasher = createPasswordHasher();

  it('stores a self-describing PHC string with the OWASP parameters and a random salt', async () => {
    const a = await hasher.hash('correct horse battery staple');
    const b = await hasher.hash('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(OWASP_ARGON2ID).toEqual({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
  });

  it('verifies a hash written by hash-wasm (the previous implementation)', async () => {
    const phc = await wasmPhc('written before the switch');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify('written before the switch', phc)).resolves.toBe(true);
    await expect(hasher.verify('written before the switch!', phc)).resolves.toBe(false);
    expect(hasher.needsRehash(phc)).toBe(false);
  });

  it('writes hashes that hash-wasm verifies', async () => {
    const phc = await hasher.hash('written after the switch');
    await expect(wasmArgon2Verify({ password: 'written after the switch', hash: phc })).resolves.toBe(true);
    await expect(wasmArgon2Verify({ password: 'written after the switch?', hash: phc })).resolves.toBe(false);
  });

  it('verifies the right password and refuses a wrong, trimmed or tampered one', async () => {
    const phc = await hasher.hash('  spaces count  ');
    await expect(hasher.verify('  spaces count  ', phc)).resolves.toBe(true);
    await expect(hasher.verify('spaces count', phc)).resolves.toBe(false);
    await expect(hasher.verify('a different password', phc)).resolves.toBe(false);
    // Flip a character inside the hash (the last one carries unused bits and may decode the same).
    const at = phc.length - 10;
    const tampered = phc.slice(0, at) + (phc[at] === 'A' ? 'B' : 'A') + phc.slice(at + 1);
    await expect(hasher.verify('  spaces count  ', tampered)).resolves.toBe(false);
  });

  it.each([
    ['not a PHC string at all', 'not a phc string'],
    ['an empty string', ''],
    ['argon2i instead of argon2id', '$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE'],
    ['an unknown version', '$argon2id$v=20$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE'],
    ['a salt shorter than argon2 allows', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE'],
    ['zero iterations', '$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE'],
    ['zero parallelism', '$argon2id$v=19$m=19456,t=2,p=0$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE'],
    ['less memory than argon2 allows', '$argon2id$v=19$m=1,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE'],
    ['a memory cost of 4 TiB', '$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE'],
    ['a character outside base64', '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE-'],
    ['a missing hash', '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA'],
    ['trailing text', '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE$x'],
  ])('answers false, without throwing, for a malformed PHC string: %s', async (_, phc) => {
    await expect(hasher.verify('any password', phc)).resolves.toBe(false);
  });

  it('verifies hashes made with other parameters or argon2 version 16 (the PHC string carries them)', async () => {
    const legacy = await createPasswordHasher({ memoryKiB: 1024, iterations: 1, parallelism: 1 }).hash('old password');
    expect(legacy).toContain('$m=1024,t=1,p=1$');
    await expect(hasher.verify('old password', legacy)).resolves.toBe(true);

    const wasmLegacy = await wasmPhc('older still', { memoryKiB: 4096, iterations: 3, parallelism: 2 });
    await expect(hasher.verify('older still', wasmLegacy)).resolves.toBe(true);

    const salt = randomBytes(16);
    const raw = await jest.requireActual<typeof import('@node-rs/argon2')>('@node-rs/argon2').hashRaw('version sixteen', {
      algorithm: 2,
      version: 0,
      memoryCost: 1024,
      timeCost: 1,
      parallelism: 1,
      salt,
    });
    const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
    const v16 = `$argon2id$v=16$m=1024,t=1,p=1$${b64(salt)}$${b64(raw)}`;
    await expect(hasher.verify('version sixteen', v16)).resolves.toBe(true);
    await expect(hasher.verify('version nineteen', v16)).resolves.toBe(false);
  });

  it('asks for a rehash when the stored memory, iterations, parallelism or version differ from the current ones', async () => {
    const current = await hasher.hash('same password');
    expect(hasher.needsRehash(current)).toBe(false);
    const salt = 'c29tZXNhbHRzb21lc2FsdA';
    const digest = 'dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE';
    expect(hasher.needsRehash(`$argon2id$v=19$m=19456,t=2,p=1$${salt}$${digest}`)).toBe(false);
    expect(hasher.needsRehash(`$argon2id$v=19$m=65536,t=2,p=1$${salt}$${digest}`)).toBe(true);
    expect(hasher.needsRehash(`$argon2id$v=19$m=19456,t=3,p=1$${salt}$${digest}`)).toBe(true);
    expect(hasher.needsRehash(`$argon2id$v=19$m=19456,t=2,p=2$${salt}$${digest}`)).toBe(true);
    expect(hasher.needsRehash(`$argon2id$v=16$m=19456,t=2,p=1$${salt}$${digest}`)).toBe(true);
    expect(hasher.needsRehash('not a phc string')).toBe(true);

    const stronger = createPasswordHasher({ memoryKiB: 65_536, iterations: 3, parallelism: 1 });
    expect(stronger.needsRehash(current)).toBe(true);
  });

  it('treats Unicode compatibility forms of a password as the same password (NFKC)', async () => {
    const phc = await hasher.hash('ｐａｓｓｗｏｒｄ１２３'); // full-width
    await expect(hasher.verify('password123', phc)).resolves.toBe(true);
  });

  it('spends a full hash with the current parameters on an unknown account and always answers false', async () => {
    const derive = jest.mocked(hashRaw);
    derive.mockClear();
    await expect(hasher.verifyAgainstNothing('anything at all')).resolves.toBe(false);
    expect(derive).toHaveBeenCalledTimes(1);
    expect(derive.mock.calls[0]![1]).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32, algorithm: 2, version: 1 });
  });

});
