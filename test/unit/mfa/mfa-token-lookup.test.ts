import { randomBytes } from 'node:crypto';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { createKeyring } from '../../../lib/core/keyring';
import { createMemoryMfaStore } from '../../../lib/mfa/memory-mfa-store';
import { findLiveMfaToken, type MfaTokenRecord } from '../../../lib/mfa/mfa-store';
import { createMfaTokenCodec } from '../../../lib/mfa/mfa-token';

describe('finding a presented MFA token across a hash-key rotation', () => {
  const NOW = Date.UTC(2026, 0, 1);
  const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
  const record: MfaTokenRecord = { userId: 'u1', email: 'a@example.com', delivery: 'body', amr: ['pwd'], failures: 0, expiresAt: NOW + 300_000, credentialsVersion: 0 };

  const setup = () => {
    const mfa = createMemoryMfaStore(createMemoryUserStore());
    const reads: string[] = [];
    const counting = { mfaToken: (hash: string, now: number, max: number) => (reads.push(hash), mfa.mfaToken(hash, now, max)) };
    return { mfa, counting, reads };
  };

  it('finds a token minted under the previous key, with the hash it is stored under', async () => {
    const { mfa, counting } = setup();
    const minted = createMfaTokenCodec(createKeyring(oldKey)).mint();
    await mfa.putMfaToken(minted.hash, record);
    const rotated = createMfaTokenCodec(createKeyring(newKey, oldKey));
    expect(await findLiveMfaToken(counting, rotated.hashesOf(minted.value), NOW, 5)).toEqual({ tokenHash: minted.hash, login: record });
    // Without the previous key it is not ours any more.
    expect(await findLiveMfaToken(counting, createMfaTokenCodec(createKeyring(newKey)).hashesOf(minted.value), NOW, 5)).toBeUndefined();
  });

  it('reads once for a token of the current key, and finds nothing for an expired or ill-formed one', async () => {
    const { mfa, counting, reads } = setup();
    const rotated = createMfaTokenCodec(createKeyring(newKey, oldKey));
    const minted = rotated.mint();
    await mfa.putMfaToken(minted.hash, record);
    expect((await findLiveMfaToken(counting, rotated.hashesOf(minted.value), NOW, 5))?.tokenHash).toBe(minted.hash);
    expect(reads).toEqual([minted.hash]);
    expect(await findLiveMfaToken(counting, rotated.hashesOf(minted.value), NOW + 300_000, 5)).toBeUndefined();
    expect(await findLiveMfaToken(counting, rotated.hashesOf('not a token'), NOW, 5)).toBeUndefined();
  });
});
