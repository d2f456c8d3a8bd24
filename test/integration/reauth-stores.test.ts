import { randomBytes, randomUUID } from 'node:crypto';
import { createDynamoDbAccountChangeStore } from '../../lib/aws/dynamodb-account-change-store';
import { createDocumentClient } from '../../lib/aws/dynamodb';
import { createDynamoDbFactorNoticeStore } from '../../lib/aws/dynamodb-factor-notice-store';
import { loadStorageConfig } from '../../lib/core/config';
import { InvalidMfaCodeError } from '../../lib/core/errors';
import { MAX_OUTSTANDING_NOTICES } from '../../lib/reauth/factor-notice-store';
import { PASSWORD, testEnv } from '../support/fixtures';
import { claimsOf, createMfaKit, type MfaKit } from '../support/mfa-kit';

// The writes re-authentication and factor notices add, against DynamoDB Local: the TOTP enrolment
// record and its probation, spending a code without an MFA token, disabling with a recovery code,
// undoing a reported change, and the per-notice items of "this wasn't me" links.
describe('TOTP re-authentication writes on DynamoDB Local', () => {
  let kit: MfaKit;
  beforeAll(async () => {
    kit = await createMfaKit('dynamodb');
  });

  it('records the enrolment on the account item; a login inside the probation is not mfa, one after it is', async () => {
    const { email, userId } = await kit.register();
    const { secret } = await kit.setup(userId);
    await kit.confirm(userId, kit.code(secret));
    expect(await kit.mfa.totpState(email, userId)).toMatchObject({ enabled: true, enrolment: { at: kit.clock.now(), amr: ['pwd'] } });
    kit.nextStep();
    expect(claimsOf((await kit.verify(await kit.loginForToken(email), { code: kit.code(secret) })).tokens.accessToken).amr).toEqual(['pwd', 'otp']);
    kit.clock.advance(kit.reauth.maxAgeSeconds * 1000);
    expect(claimsOf((await kit.verify(await kit.loginForToken(email), { code: kit.code(secret) })).tokens.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('spends a code or a recovery code of a re-authentication once, also under concurrency', async () => {
    const { userId, secret, recoveryCodes } = await kit.enrol();
    const code = kit.code(secret);
    const results = await Promise.allSettled([1, 2, 3].map(() => kit.provePassword(userId, PASSWORD, { code })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    await expect(kit.provePassword(userId, PASSWORD, { recoveryCode: recoveryCodes[0]! })).resolves.toEqual({ amr: ['pwd', 'mfa', 'rc'] });
    await expect(kit.provePassword(userId, PASSWORD, { recoveryCode: recoveryCodes[0]! })).rejects.toThrow(InvalidMfaCodeError);
  });

  it('disables with a recovery code, dropping the secret, the codes and the enrolment record', async () => {
    const { email, userId, recoveryCodes } = await kit.enrol();
    await kit.disable(userId, PASSWORD, { recoveryCode: recoveryCodes[1]! });
    expect(await kit.mfa.totpState(email, userId)).toEqual({ enabled: false, sealedSecret: undefined, lastUsedStep: expect.any(Number), recoveryCodeHashes: [], enrolment: undefined, credentialsVersion: 0 });
  });

  it('undoes a reported enrolment only while it is that enrolment, and reported codes only while they are those codes', async () => {
    const { email, userId } = await kit.enrol();
    const { enrolment } = (await kit.mfa.totpState(email, userId))!;
    await kit.replaceCodes(userId);
    const issuedAt = kit.clock.now();
    await expect(kit.mfa.dropRecoveryCodes({ userId, email, issuedAt: issuedAt - 1 })).resolves.toBe(false);
    await expect(kit.mfa.dropRecoveryCodes({ userId, email, issuedAt })).resolves.toBe(true);
    expect((await kit.mfa.totpState(email, userId))?.recoveryCodeHashes).toEqual([]);
    await expect(kit.mfa.removeEnrolment({ userId, email, enrolledAt: enrolment!.at + 1 })).resolves.toBe(false);
    await expect(kit.mfa.removeEnrolment({ userId, email, enrolledAt: enrolment!.at })).resolves.toBe(true);
    expect((await kit.mfa.totpState(email, userId))?.enabled).toBe(false);
    await expect(kit.mfa.removeEnrolment({ userId, email, enrolledAt: enrolment!.at })).resolves.toBe(false);
  });
});

describe('factor notice items on DynamoDB Local', () => {
  const setup = async () => {
    const storage = loadStorageConfig(await testEnv());
    const client = createDocumentClient({ endpoint: storage.dynamoDbEndpoint });
    return { store: createDynamoDbFactorNoticeStore(client, storage.usersTable), changes: createDynamoDbAccountChangeStore(client, storage.usersTable) };
  };
  const hash = () => randomBytes(32).toString('base64url');
  const NOW = Date.UTC(2026, 0, 1);

  it('keeps several notices of a user, finds each by its hash (either of a rotation\'s two), and spends each once', async () => {
    const { store } = await setup();
    const userId = randomUUID();
    const [first, second] = [hash(), hash()];
    await store.put(userId, { tokenHash: first, change: { kind: 'totp_enabled', enrolledAt: 42 }, expiresAt: NOW + 1000 }, NOW);
    await store.put(userId, { tokenHash: second, change: { kind: 'passkey_added', credentialId: 'cred' }, expiresAt: NOW + 2000 }, NOW);
    await expect(store.find(userId, [hash(), first], NOW)).resolves.toEqual({ tokenHash: first, change: { kind: 'totp_enabled', enrolledAt: 42 }, expiresAt: NOW + 1000 });
    await expect(store.find(userId, [second], NOW)).resolves.toMatchObject({ change: { kind: 'passkey_added', credentialId: 'cred' } });
    await expect(store.find(userId, [first], NOW + 1000)).resolves.toBeUndefined();
    const spends = await Promise.all([1, 2, 3].map(() => store.spend(userId, second, NOW)));
    expect(spends.filter(Boolean)).toHaveLength(1);
    await expect(store.find(userId, [second], NOW)).resolves.toBeUndefined();
    await expect(store.spend(userId, first, NOW + 1000)).resolves.toBe(false);
    await expect(store.spend(userId, hash(), NOW)).resolves.toBe(false);
    await expect(store.spend(randomUUID(), first, NOW)).resolves.toBe(false);
  });

  it('stores concurrent first notices of a user without losing one', async () => {
    const { store } = await setup();
    const userId = randomUUID();
    const hashes = [hash(), hash(), hash(), hash()];
    await Promise.all(hashes.map((tokenHash) => store.put(userId, { tokenHash, change: { kind: 'totp_disabled' }, expiresAt: NOW + 1000 }, NOW)));
    for (const tokenHash of hashes) await expect(store.find(userId, [tokenHash], NOW)).resolves.toMatchObject({ tokenHash });
  });

  it(`drops expired notices, and the oldest beyond ${MAX_OUTSTANDING_NOTICES}, when it stores one`, async () => {
    const { store } = await setup();
    const userId = randomUUID();
    const expired = hash();
    await store.put(userId, { tokenHash: expired, change: { kind: 'totp_disabled' }, expiresAt: NOW - 1 }, NOW - 10);
    const hashes = Array.from({ length: MAX_OUTSTANDING_NOTICES + 1 }, hash);
    for (const [index, tokenHash] of hashes.entries()) await store.put(userId, { tokenHash, change: { kind: 'totp_disabled' }, expiresAt: NOW + 1000 + index }, NOW);
    await expect(store.find(userId, [hashes[0]!], NOW)).resolves.toBeUndefined();
    await expect(store.find(userId, [hashes[1]!], NOW)).resolves.toMatchObject({ tokenHash: hashes[1] });
    // The expired one is gone from the item, not just unreadable.
    await expect(store.find(userId, [expired], NOW - 100)).resolves.toBeUndefined();
  });

  it('goes with the account: the purge of one-time tokens removes the notices', async () => {
    const { store, changes } = await setup();
    const userId = randomUUID();
    const tokenHash = hash();
    await store.put(userId, { tokenHash, change: { kind: 'totp_disabled' }, expiresAt: NOW + 1000 }, NOW);
    await changes.purgeTokens(userId);
    await expect(store.find(userId, [tokenHash], NOW)).resolves.toBeUndefined();
  });
});
