import { instructions, planKeys, putCommand, type KeyFlags, type KeyPlan, type KeyPlanInput, type KeyPresence } from '../../scripts/dev/keys-plan';

const NONE: KeyPresence = { privateKey: false, verificationKeys: false, hashKey: false, previousHashKey: false, idTokenKey: false, idTokenPublicKeys: false };
const ALL_CURRENT: KeyPresence = { privateKey: true, verificationKeys: true, hashKey: true, previousHashKey: false, idTokenKey: true, idTokenPublicKeys: true };
/** A stage made before ID tokens. */
const WITHOUT_ID_TOKEN_KEY: KeyPresence = { ...ALL_CURRENT, idTokenKey: false, idTokenPublicKeys: false };
const FLAGS: KeyFlags = { algorithm: 'ES256', rotate: false, rotateHashKey: false, rotateIdTokenKey: false, force: false };

const plan = (input: Partial<Omit<KeyPlanInput, 'flags'>> & { flags?: Partial<KeyFlags> }) =>
  planKeys({ stage: 'prod', existingLocal: NONE, existingInSsm: undefined, ...input, flags: { ...FLAGS, ...input.flags } });

const accepted = (result: ReturnType<typeof planKeys>): KeyPlan => {
  if (!result.ok) throw new Error(`expected a plan, got refusal ${result.code}: ${result.message}`);
  return result;
};

const CONTEXT = {
  stage: 'prod',
  algorithm: 'ES256',
  names: {
    privateKey: '/jwt-auth/prod/jwt-private-key',
    verificationKeys: '/jwt-auth/prod/jwt-verification-keys',
    hashKey: '/jwt-auth/prod/refresh-token-hash-key',
    previousHashKey: '/jwt-auth/prod/refresh-token-previous-hash-key',
    idTokenKey: '/jwt-auth/prod/id-token-private-key',
    idTokenPublicKeys: '/jwt-auth/prod/id-token-public-keys',
  },
  files: {
    privateKey: '/r/.keys/prod/jwt-private-key.json',
    verificationKeys: '/r/.keys/prod/jwt-verification-keys.json',
    hashKey: '/r/.keys/prod/refresh-token-hash-key',
    previousHashKey: '/r/.keys/prod/refresh-token-previous-hash-key',
    idTokenKey: '/r/.keys/prod/id-token-private-key.json',
    idTokenPublicKeys: '/r/.keys/prod/id-token-public-keys.json',
  },
};

describe('planKeys: first-time creation', () => {
  it('creates every key for a new stage, storing without --overwrite', () => {
    const result = accepted(plan({ existingInSsm: NONE }));

    expect(result).toMatchObject({ mode: 'create', newSigningKey: true, extendVerificationSet: false, newHashKey: true, newIdTokenKey: true, extendIdTokenSet: false, warnings: [] });
    expect(result.puts).toEqual([
      { parameter: 'privateKey', type: 'SecureString', overwrite: false },
      { parameter: 'hashKey', type: 'SecureString', overwrite: false },
      { parameter: 'verificationKeys', type: 'String', overwrite: false },
      { parameter: 'idTokenKey', type: 'SecureString', overwrite: false },
      { parameter: 'idTokenPublicKeys', type: 'String', overwrite: false },
    ]);
    expect(result.notes).toEqual([]);
  });

  it('has no verification set to store for HS256, but an RS256 ID-token key all the same', () => {
    const result = accepted(plan({ flags: { algorithm: 'HS256' } }));

    expect(result.puts.map((put) => put.parameter)).toEqual(['privateKey', 'hashKey', 'idTokenKey', 'idTokenPublicKeys']);
  });

  it('refuses a stage made before ID tokens and points at --rotate-id-token-key', () => {
    const result = plan({ existingLocal: WITHOUT_ID_TOKEN_KEY });

    expect(result).toMatchObject({ ok: false, code: 'keys_exist', message: expect.stringContaining('--rotate-id-token-key') });
  });

  it('refuses when the stage already has keys locally', () => {
    expect(plan({ existingLocal: ALL_CURRENT })).toMatchObject({ ok: false, code: 'keys_exist' });
  });

  it('refuses when SSM already has a key even though .keys/ is empty (a second machine)', () => {
    const result = plan({ existingInSsm: { ...NONE, hashKey: true } });

    expect(result).toMatchObject({ ok: false, code: 'keys_exist' });
    expect(!result.ok && result.message).toMatch(/refresh-token hash key \(SSM\)/);
    expect(!result.ok && result.message).toMatch(/--rotate.*--rotate-hash-key.*--force/);
  });

  it('refuses when only one local key file is left over', () => {
    expect(plan({ existingLocal: { ...NONE, verificationKeys: true } })).toMatchObject({ ok: false, code: 'keys_exist' });
  });

  it('says SSM was not checked when it was not asked', () => {
    expect(accepted(plan({})).notes.join(' ')).toMatch(/SSM was not checked/);
  });
});

describe('planKeys: --force', () => {
  it('replaces everything with --overwrite and warns that every session ends', () => {
    const result = accepted(plan({ existingInSsm: ALL_CURRENT, flags: { force: true } }));

    expect(result.mode).toBe('force-replace');
    expect(result.puts.every((put) => put.overwrite)).toBe(true);
    expect(result.puts.map((put) => put.parameter)).toEqual(['privateKey', 'hashKey', 'verificationKeys', 'idTokenKey', 'idTokenPublicKeys']);
    expect(result.warnings.join(' ')).toMatch(/ends every session/);
    expect(result.warnings.join(' ')).toMatch(/ID tokens issued so far stop verifying/);
  });

  it('cannot be combined with a rotation', () => {
    expect(plan({ existingLocal: ALL_CURRENT, flags: { force: true, rotate: true } })).toMatchObject({ ok: false, code: 'conflicting_flags' });
    expect(plan({ existingLocal: ALL_CURRENT, flags: { rotate: true, rotateHashKey: true } })).toMatchObject({ ok: false, code: 'conflicting_flags' });
  });
});

describe('planKeys: --rotate (signing key)', () => {
  it('makes a new signing key, extends the current set, and leaves the hash key alone', () => {
    const result = accepted(plan({ existingLocal: ALL_CURRENT, flags: { rotate: true } }));

    expect(result).toMatchObject({ mode: 'rotate-signing-key', newSigningKey: true, extendVerificationSet: true, newHashKey: false });
    expect(result.puts).toEqual([
      { parameter: 'verificationKeys', type: 'String', overwrite: true },
      { parameter: 'privateKey', type: 'SecureString', overwrite: true },
    ]);
  });

  it('refuses when there is no signing key to rotate', () => {
    expect(plan({ existingInSsm: NONE, flags: { rotate: true } })).toMatchObject({ ok: false, code: 'no_signing_key_to_rotate' });
  });

  it('refuses when the current verification set is only in SSM, since the new set must keep it', () => {
    const result = plan({ existingLocal: NONE, existingInSsm: ALL_CURRENT, flags: { rotate: true } });

    expect(result).toMatchObject({ ok: false, code: 'verification_set_not_local' });
  });

  it('warns that HS256 has no overlap', () => {
    const result = accepted(plan({ existingLocal: ALL_CURRENT, flags: { rotate: true, algorithm: 'HS256' } }));

    expect(result.extendVerificationSet).toBe(false);
    expect(result.puts).toEqual([{ parameter: 'privateKey', type: 'SecureString', overwrite: true }]);
    expect(result.warnings.join(' ')).toMatch(/HS256/);
  });
});

describe('planKeys: --rotate-hash-key', () => {
  it('moves the current hash key to the previous-key parameter before storing a new one', () => {
    const result = accepted(plan({ existingLocal: ALL_CURRENT, flags: { rotateHashKey: true } }));

    expect(result).toMatchObject({ mode: 'rotate-hash-key', newSigningKey: false, newHashKey: true, previousHashKeyFrom: 'local', warnings: [] });
    expect(result.puts).toEqual([
      { parameter: 'previousHashKey', type: 'SecureString', overwrite: true },
      { parameter: 'hashKey', type: 'SecureString', overwrite: true },
    ]);
  });

  it('takes the current key from SSM when SSM has one (SSM is what the functions run with)', () => {
    expect(accepted(plan({ existingLocal: ALL_CURRENT, existingInSsm: ALL_CURRENT, flags: { rotateHashKey: true } })).previousHashKeyFrom).toBe('ssm');
    expect(accepted(plan({ existingLocal: NONE, existingInSsm: ALL_CURRENT, flags: { rotateHashKey: true } })).previousHashKeyFrom).toBe('ssm');
  });

  it('refuses without an existing current hash key', () => {
    expect(plan({ existingInSsm: NONE, flags: { rotateHashKey: true } })).toMatchObject({ ok: false, code: 'no_hash_key_to_rotate' });
    expect(plan({ existingLocal: { ...ALL_CURRENT, hashKey: false }, flags: { rotateHashKey: true } })).toMatchObject({
      ok: false,
      code: 'no_hash_key_to_rotate',
    });
  });

  it('warns when an older previous key is dropped', () => {
    const result = accepted(plan({ existingLocal: { ...ALL_CURRENT, previousHashKey: true }, flags: { rotateHashKey: true } }));

    expect(result.warnings.join(' ')).toMatch(/sessions not refreshed since the last hash-key rotation end/);
  });
});

describe('planKeys: --rotate-id-token-key', () => {
  it('makes a new ID-token key, extends the published set, and leaves every other key alone', () => {
    const result = accepted(plan({ existingLocal: ALL_CURRENT, flags: { rotateIdTokenKey: true } }));

    expect(result).toMatchObject({ mode: 'rotate-id-token-key', newSigningKey: false, newHashKey: false, newIdTokenKey: true, extendIdTokenSet: true, warnings: [] });
    expect(result.puts).toEqual([
      { parameter: 'idTokenPublicKeys', type: 'String', overwrite: true },
      { parameter: 'idTokenKey', type: 'SecureString', overwrite: true },
    ]);
  });

  it('gives a stage made before ID tokens its first ID-token key, with nothing to overwrite', () => {
    const result = accepted(plan({ existingLocal: WITHOUT_ID_TOKEN_KEY, existingInSsm: WITHOUT_ID_TOKEN_KEY, flags: { rotateIdTokenKey: true } }));

    expect(result).toMatchObject({ mode: 'rotate-id-token-key', newIdTokenKey: true, extendIdTokenSet: false });
    expect(result.puts.every((put) => !put.overwrite)).toBe(true);
    expect(result.notes).toEqual([expect.stringContaining('first one')]);
  });

  it('refuses when the published set is only in SSM, since the new set must keep it', () => {
    const result = plan({ existingLocal: WITHOUT_ID_TOKEN_KEY, existingInSsm: ALL_CURRENT, flags: { rotateIdTokenKey: true } });

    expect(result).toMatchObject({ ok: false, code: 'id_token_set_not_local' });
  });

  it('cannot be combined with another rotation', () => {
    expect(plan({ existingLocal: ALL_CURRENT, flags: { rotateIdTokenKey: true, rotate: true } })).toMatchObject({ ok: false, code: 'conflicting_flags' });
  });
});

describe('printed commands', () => {
  it('first-time creation prints put-parameter without --overwrite', () => {
    const lines = instructions(accepted(plan({})), CONTEXT);
    const puts = lines.filter((line) => line.includes('put-parameter'));

    expect(puts).toHaveLength(5);
    for (const line of puts) expect(line).not.toContain('--overwrite');
    expect(puts[0]!.trim()).toBe(
      'aws ssm put-parameter --name /jwt-auth/prod/jwt-private-key --type SecureString --value file:///r/.keys/prod/jwt-private-key.json',
    );
  });

  it('a hash-key rotation stores the previous key first, both with --overwrite', () => {
    const lines = instructions(accepted(plan({ existingLocal: ALL_CURRENT, flags: { rotateHashKey: true } })), { ...CONTEXT, region: 'eu-west-1' });
    const puts = lines.filter((line) => line.includes('put-parameter')).map((line) => line.trim());

    expect(puts).toEqual([
      'aws ssm put-parameter --overwrite --region eu-west-1 --name /jwt-auth/prod/refresh-token-previous-hash-key --type SecureString --value file:///r/.keys/prod/refresh-token-previous-hash-key',
      'aws ssm put-parameter --overwrite --region eu-west-1 --name /jwt-auth/prod/refresh-token-hash-key --type SecureString --value file:///r/.keys/prod/refresh-token-hash-key',
    ]);
  });

  it('a signing-key rotation publishes the public key before it switches the signing key', () => {
    const rotation = accepted(plan({ existingLocal: ALL_CURRENT, flags: { rotate: true } }));
    const lines = instructions(rotation, CONTEXT);
    const publish = lines.findIndex((line) => line.includes('jwt-verification-keys'));
    const sign = lines.findIndex((line) => line.includes('--name /jwt-auth/prod/jwt-private-key'));

    expect(publish).toBeGreaterThan(-1);
    expect(sign).toBeGreaterThan(publish);
    expect(instructions(rotation, CONTEXT, { publicKeyStored: true }).some((line) => line.includes('jwt-verification-keys'))).toBe(false);
  });

  it('an ID-token-key rotation publishes the public set before it switches the key', () => {
    const rotation = accepted(plan({ existingLocal: ALL_CURRENT, flags: { rotateIdTokenKey: true } }));
    const lines = instructions(rotation, CONTEXT);
    const publish = lines.findIndex((line) => line.includes('--name /jwt-auth/prod/id-token-public-keys'));
    const sign = lines.findIndex((line) => line.includes('--name /jwt-auth/prod/id-token-private-key'));

    expect(publish).toBeGreaterThan(-1);
    expect(sign).toBeGreaterThan(publish);
    expect(lines.some((line) => line.includes('jwt-private-key') || line.includes('refresh-token'))).toBe(false);
    expect(instructions(rotation, CONTEXT, { publicKeyStored: true }).some((line) => line.includes('id-token-public-keys'))).toBe(false);
  });

  it('renders --overwrite only when the put says so', () => {
    expect(putCommand({ parameter: 'hashKey', type: 'SecureString', overwrite: true }, CONTEXT)).toContain(' --overwrite ');
    expect(putCommand({ parameter: 'hashKey', type: 'SecureString', overwrite: false }, CONTEXT)).not.toContain('--overwrite');
  });
});
