import { argon2id } from 'hash-wasm';
import { createPasswordHasher, OWASP_ARGON2ID } from '../../lib/accounts/password';

jest.mock('hash-wasm', () => {
  const actual = jest.requireActual('hash-wasm');
  return { ...actual, argon2id: jest.fn(actual.argon2id) };
});

describe('password hashing (argon2id)', () => {
  const hasher = createPasswordHasher();

  it('stores a self-describing PHC string with the OWASP parameters and a random salt', async () => {
    const a = await hasher.hash('correct horse battery staple');
    const b = await hasher.hash('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(OWASP_ARGON2ID).toEqual({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
  });

  it('verifies the right password and refuses a wrong, trimmed or malformed one', async () => {
    const phc = await hasher.hash('  spaces count  ');
    await expect(hasher.verify('  spaces count  ', phc)).resolves.toBe(true);
    await expect(hasher.verify('spaces count', phc)).resolves.toBe(false);
    // Flip a character inside the hash (the last one carries unused bits and may decode the same).
    const at = phc.length - 10;
    const tampered = phc.slice(0, at) + (phc[at] === 'A' ? 'B' : 'A') + phc.slice(at + 1);
    await expect(hasher.verify('  spaces count  ', tampered)).resolves.toBe(false);
    await expect(hasher.verify('  spaces count  ', 'not a phc string')).resolves.toBe(false);
  });

  it('verifies hashes made with other parameters (the PHC string carries them)', async () => {
    const legacy = await createPasswordHasher({ memoryKiB: 1024, iterations: 1, parallelism: 1 }).hash('old password');
    expect(legacy).toContain('$m=1024,t=1,p=1$');
    await expect(hasher.verify('old password', legacy)).resolves.toBe(true);
  });

  it('treats Unicode compatibility forms of a password as the same password (NFKC)', async () => {
    const phc = await hasher.hash('ｐａｓｓｗｏｒｄ１２３'); // full-width
    await expect(hasher.verify('password123', phc)).resolves.toBe(true);
  });

  it('spends a full hash on an unknown account and always answers false', async () => {
    const derive = jest.mocked(argon2id);
    derive.mockClear();
    await expect(hasher.verifyAgainstNothing('anything at all')).resolves.toBe(false);
    expect(derive).toHaveBeenCalledTimes(1);
    expect(derive.mock.calls[0]![0]).toMatchObject({ memorySize: 19456, iterations: 2, parallelism: 1, hashLength: 32 });
  });
});
