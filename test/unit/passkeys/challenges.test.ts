import { randomBytes } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { takeChallenge } from '../../../lib/passkeys/challenges';
import { createMemoryChallengeStore } from '../../../lib/passkeys/memory-passkey-store';
import { createPasskeyHasher } from '../../../lib/passkeys/passkey-hashes';

describe('WebAuthn challenges as tickets', () => {
  const NOW = Date.UTC(2026, 0, 1);
  const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
  const account = { userId: 'u1', email: 'a@example.com', credentialsVersion: 2 };

  it('takes a challenge stored before a hash-key rotation, once', async () => {
    const challenges = createMemoryChallengeStore();
    const before = createPasskeyHasher(createKeyring(oldKey));
    await challenges.put(before.challengeKey('challenge-id'), { purpose: 'registration', challengeHash: before.challengeHash('c'), account, expiresAt: NOW + 300_000 });
    const rotated = createPasskeyHasher(createKeyring(newKey, oldKey));
    const keys = rotated.challengeKeys('challenge-id');
    expect(keys).toEqual([createPasskeyHasher(createKeyring(newKey)).challengeKey('challenge-id'), before.challengeKey('challenge-id')]);
    const taken = await takeChallenge(challenges, keys, { purpose: 'registration', now: NOW, userId: 'u1' });
    expect(taken).toEqual({ purpose: 'registration', challengeHash: before.challengeHash('c'), account, expiresAt: NOW + 300_000 });
    expect(rotated.challengeMatches('c', taken!.challengeHash)).toBe(true);
    expect(await takeChallenge(challenges, keys, { purpose: 'registration', now: NOW, userId: 'u1' })).toBeUndefined();
  });

  it('takes nothing for another purpose, another account, or at its expiry, and keeps it for the right taker', async () => {
    const challenges = createMemoryChallengeStore();
    const hasher = createPasskeyHasher(createKeyring(newKey));
    await challenges.put(hasher.challengeKey('id'), { purpose: 'login', challengeHash: 'h', expiresAt: NOW + 1 });
    const keys = hasher.challengeKeys('id');
    expect(await takeChallenge(challenges, keys, { purpose: 'registration', now: NOW })).toBeUndefined();
    expect(await takeChallenge(challenges, keys, { purpose: 'login', now: NOW, userId: 'u1' })).toBeUndefined();
    expect(await takeChallenge(challenges, keys, { purpose: 'login', now: NOW + 1 })).toBeUndefined();
    expect(await takeChallenge(challenges, keys, { purpose: 'login', now: NOW })).toEqual({ purpose: 'login', challengeHash: 'h', account: undefined, expiresAt: NOW + 1 });
  });
});
