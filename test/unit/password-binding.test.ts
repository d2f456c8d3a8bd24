import { createPasswordHasher } from '../../lib/accounts/password';

// As on a function whose zip lacks the native binary: the loader throws.
jest.mock('@node-rs/argon2', () => {
  throw new Error('Cannot find native binding');
});

describe('password hashing without the native binding', () => {
  const hasher = createPasswordHasher();
  const phc = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$dGhpcyBpcyBub3QgYSByZWFsIGhhc2ggYXQgYWxsISE';

  it('can still be built (every handler builds one), and only fails when it hashes', () => {
    expect(hasher.needsRehash(phc)).toBe(false);
  });

  it('rejects instead of answering false: a server fault (500), never a wrong password (401)', async () => {
    await expect(hasher.verify('any password', phc)).rejects.toThrow('Cannot find native binding');
    await expect(hasher.verifyAgainstNothing('any password')).rejects.toThrow('Cannot find native binding');
    await expect(hasher.hash('any password')).rejects.toThrow('Cannot find native binding');
  });
});
