import { createHash } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { CLIENT_ID_PATTERN, createClientSecrets, newClientId } from '../../../lib/oauth/client-secret';

const CURRENT = Buffer.alloc(32, 1);
const PREVIOUS = Buffer.alloc(32, 2);

describe('client ids and secrets', () => {
  it('makes random, URL-safe client ids', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(CLIENT_ID_PATTERN);
    expect([...ids][0]).toHaveLength(22);
  });

  it('stores only a keyed hash: neither the secret nor a plain digest of it', () => {
    const secrets = createClientSecrets(createKeyring(CURRENT));
    const { secret, hash } = secrets.mint('client-1');
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain(secret);
    expect(hash).not.toBe(createHash('sha256').update(secret).digest('base64url'));
    expect(hash).not.toBe(createHash('sha256').update(`client-1.${secret}`).digest('base64url'));
    expect(Buffer.from(hash, 'base64url')).toHaveLength(32);
    // Another key gives another hash: the hash says nothing without the server key.
    expect(createClientSecrets(createKeyring(PREVIOUS)).verifyClientSecret({ clientId: 'client-1', secretHash: hash }, secret)).toBe(false);
  });

  it('verifies the client\'s own secret only: not another client\'s, not a public client, not a non-string', () => {
    const secrets = createClientSecrets(createKeyring(CURRENT));
    const { secret, hash } = secrets.mint('client-1');
    const other = secrets.mint('client-2');
    expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: hash }, secret)).toBe(true);
    expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: hash }, `${secret}x`)).toBe(false);
    expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: hash }, secret.slice(0, -1))).toBe(false);
    expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: hash }, other.secret)).toBe(false);
    // A hash copied onto another client does not verify there.
    expect(secrets.verifyClientSecret({ clientId: 'client-2', secretHash: hash }, secret)).toBe(false);
    expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: undefined }, secret)).toBe(false);
    for (const presented of [undefined, null, 42, '', 'x'.repeat(513)]) expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: hash }, presented)).toBe(false);
  });

  it('checks a presented secret through the keyring\'s constant-time match, never by string comparison', () => {
    // The keyring's `matches` compares HMACs with timingSafeEqual (lib/core/keyring.ts, crypto.ts).
    const keyring = createKeyring(CURRENT);
    const matches = jest.fn();
    const watched = { purpose: (name: string, salt?: string) => {
      const key = keyring.purpose(name, salt);
      return { ...key, matches: matches.mockImplementation(key.matches) };
    } };
    const secrets = createClientSecrets(watched);
    const { secret, hash } = secrets.mint('client-1');
    expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: hash }, `${secret.slice(0, -1)}A`)).toBe(false);
    expect(secrets.verifyClientSecret({ clientId: 'client-1', secretHash: hash }, secret)).toBe(true);
    expect(matches).toHaveBeenCalledTimes(2);
    expect(matches).toHaveBeenCalledWith(hash, 'client-1', '.', secret);
  });

  it('still verifies a secret hashed under the previous server key during a hash-key rotation', () => {
    const before = createClientSecrets(createKeyring(PREVIOUS)).mint('client-1');
    const during = createClientSecrets(createKeyring(CURRENT, PREVIOUS));
    expect(during.verifyClientSecret({ clientId: 'client-1', secretHash: before.hash }, before.secret)).toBe(true);
    expect(createClientSecrets(createKeyring(CURRENT)).verifyClientSecret({ clientId: 'client-1', secretHash: before.hash }, before.secret)).toBe(false);
  });
});
