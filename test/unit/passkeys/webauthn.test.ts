import { randomUUID } from 'node:crypto';
import {
  CEREMONY_TIMEOUT_MS,
  PasskeyRejectedError,
  authenticationOptions,
  counterAdvances,
  credentialIdOf,
  newChallenge,
  registrationOptions,
  userHandleOf,
  verifyAuthentication,
  verifyRegistration,
  type NewPasskey,
  type PasskeyRejection,
} from '../../../lib/passkeys';
import {
  createSoftAuthenticator,
  type AssertionOverrides,
  type RegistrationOverrides,
  type SoftAuthenticator,
  type SoftAuthenticatorOptions,
} from '../../support/soft-authenticator';

const rpId = 'localhost';
const origin = 'http://localhost:3000';
const origins = [origin, 'https://app.example.com'];

async function registerWith(authenticator: SoftAuthenticator, userId: string, overrides?: RegistrationOverrides) {
  const challenge = newChallenge();
  const options = await registrationOptions({ rpId, rpName: 'Auth', userId, userName: 'ada@example.com', exclude: [], challenge });
  return { challenge, response: authenticator.register(options, overrides) };
}

/** A new account with one passkey registered on a fresh soft authenticator. */
async function enrolled(authenticatorOptions: Partial<SoftAuthenticatorOptions> = {}) {
  const userId = randomUUID();
  const authenticator = createSoftAuthenticator({ rpId, origin, ...authenticatorOptions });
  const { challenge, response } = await registerWith(authenticator, userId);
  const passkey = await verifyRegistration({ response, expectedChallenge: challenge, origins, rpId });
  return { userId, authenticator, passkey };
}

async function assertion(authenticator: SoftAuthenticator, passkey: NewPasskey, overrides?: AssertionOverrides) {
  const challenge = newChallenge();
  const options = await authenticationOptions({ rpId, allow: [{ id: passkey.credentialId, transports: passkey.transports }], challenge });
  return { challenge, response: authenticator.assert(options, overrides) };
}

async function rejectionOf(promise: Promise<unknown>): Promise<PasskeyRejection> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PasskeyRejectedError);
  return (error as PasskeyRejectedError).code;
}

describe('passkeys: register then log in with a software authenticator', () => {
  it('registers a resident P-256 credential and logs in with it, usernameless, advancing the counter', async () => {
    const userId = randomUUID();
    const authenticator = createSoftAuthenticator({ rpId, origin });
    const registrationChallenge = newChallenge();
    const creation = await registrationOptions({
      rpId, rpName: 'Auth', userId, userName: 'ada@example.com', exclude: [], challenge: registrationChallenge,
    });
    expect(creation).toMatchObject({
      challenge: registrationChallenge,
      rp: { id: rpId, name: 'Auth' },
      user: { id: userHandleOf(userId), name: 'ada@example.com' },
      timeout: CEREMONY_TIMEOUT_MS,
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    });
    expect(creation.pubKeyCredParams.map((param) => param.alg)).toEqual([-7, -8, -257]);

    const passkey = await verifyRegistration({
      response: authenticator.register(creation), expectedChallenge: registrationChallenge, origins, rpId,
    });
    expect(passkey).toMatchObject({
      credentialId: authenticator.credentials[0]?.id,
      counter: 1,
      transports: ['internal'],
      backedUp: false,
      deviceType: 'singleDevice',
      aaguid: '5f0f7e2a-9d3c-4b1e-8a6f-0c2d4e6b8a10',
    });
    expect(passkey.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);

    const loginChallenge = newChallenge();
    const request = await authenticationOptions({ rpId, allow: [], challenge: loginChallenge });
    expect(request).toMatchObject({
      challenge: loginChallenge, rpId, allowCredentials: [], userVerification: 'preferred', timeout: CEREMONY_TIMEOUT_MS,
    });
    const response = authenticator.assert(request);
    expect(credentialIdOf(response)).toBe(passkey.credentialId);

    const verified = await verifyAuthentication({
      response, expectedChallenge: loginChallenge, origins, rpId, passkey, expectedUserId: userId,
    });
    expect(verified).toEqual({ newCounter: 2, userVerified: true, backedUp: false });
  });

  it('reports a synced passkey as multi-device and backed up', async () => {
    const { passkey } = await enrolled({ synced: true });
    expect(passkey).toMatchObject({ deviceType: 'multiDevice', backedUp: true });
  });

  it('lists existing credentials in excludeCredentials, so the same authenticator refuses to register twice', async () => {
    const { userId, authenticator, passkey } = await enrolled();
    const options = await registrationOptions({
      rpId, rpName: 'Auth', userId, userName: 'ada@example.com',
      exclude: [{ id: passkey.credentialId, transports: passkey.transports }], challenge: newChallenge(),
    });
    expect(options.excludeCredentials).toEqual([{ id: passkey.credentialId, transports: ['internal'], type: 'public-key' }]);
    expect(() => authenticator.register(options)).toThrow(/InvalidStateError/);
  });

  it('accepts an authenticator without a counter: 0 after 0', async () => {
    const { authenticator, passkey } = await enrolled({ keepsCounter: false });
    expect(passkey.counter).toBe(0);
    const { challenge, response } = await assertion(authenticator, passkey);
    const verified = await verifyAuthentication({ response, expectedChallenge: challenge, origins, rpId, passkey });
    expect(verified.newCounter).toBe(0);
  });

  it('accepts an assertion without user verification when the caller allows presence only', async () => {
    const { authenticator, passkey } = await enrolled();
    const { challenge, response } = await assertion(authenticator, passkey, { flags: { uv: false } });
    const verified = await verifyAuthentication({
      response, expectedChallenge: challenge, origins, rpId, passkey, requireUserVerification: false,
    });
    expect(verified.userVerified).toBe(false);
  });
});

describe('passkeys: refused registrations', () => {
  const cases: [string, RegistrationOverrides, PasskeyRejection][] = [
    ['another origin', { origin: 'https://evil.example' }, 'origin_mismatch'],
    ['a cross-origin iframe', { crossOrigin: true }, 'origin_mismatch'],
    ['another RP id', { rpId: 'evil.example' }, 'rp_id_mismatch'],
    ['no user presence', { flags: { up: false } }, 'user_not_present'],
    ['no user verification', { flags: { uv: false } }, 'user_not_verified'],
    ['a challenge issued to someone else', { challenge: newChallenge() }, 'challenge_mismatch'],
    ['a login ceremony', { type: 'webauthn.get' }, 'ceremony_mismatch'],
    ['a key algorithm that was not offered (ES384)', { algorithm: -35 }, 'unsupported_algorithm'],
    ['an attestation statement under format none', { attestationStatement: new Map([['sig', new Uint8Array(8)]]) }, 'attestation_invalid'],
  ];

  it.each(cases)('refuses %s', async (_what, overrides, code) => {
    const authenticator = createSoftAuthenticator({ rpId, origin });
    const { challenge, response } = await registerWith(authenticator, randomUUID(), overrides);
    expect(await rejectionOf(verifyRegistration({ response, expectedChallenge: challenge, origins, rpId }))).toBe(code);
  });

  it('refuses a response whose id is not the attested credential id', async () => {
    const authenticator = createSoftAuthenticator({ rpId, origin });
    const { challenge, response } = await registerWith(authenticator, randomUUID());
    const forged = { ...response, id: 'AAAAAAAAAAAAAAAAAAAAAA', rawId: 'AAAAAAAAAAAAAAAAAAAAAA' };
    expect(await rejectionOf(verifyRegistration({ response: forged, expectedChallenge: challenge, origins, rpId }))).toBe('malformed_response');
  });

  it('refuses ill-typed, oversized or undecodable responses as malformed, never with another exception', async () => {
    const authenticator = createSoftAuthenticator({ rpId, origin });
    const { challenge, response } = await registerWith(authenticator, randomUUID());
    const bad: unknown[] = [
      undefined, null, 0, false, 'response', [], {},
      { ...response, id: 42 },
      { ...response, rawId: `${response.rawId}A` },
      { ...response, id: `${response.id}=`, rawId: `${response.rawId}=` },
      { ...response, type: 'password' },
      { ...response, response: null },
      { ...response, response: { ...response.response, attestationObject: 'A'.repeat(20_000) } },
      { ...response, response: { ...response.response, attestationObject: 'AAAA' } },
      { ...response, response: { ...response.response, clientDataJSON: Buffer.from('not json').toString('base64url') } },
      { ...response, response: { ...response.response, clientDataJSON: Buffer.from('{"type":1}').toString('base64url') } },
      { ...response, response: { ...response.response, transports: 'internal' } },
    ];
    for (const candidate of bad) {
      expect(await rejectionOf(verifyRegistration({ response: candidate, expectedChallenge: challenge, origins, rpId }))).toBe('malformed_response');
    }
  });
});

describe('passkeys: refused assertions', () => {
  const cases: [string, AssertionOverrides, PasskeyRejection][] = [
    ['another origin', { origin: 'https://evil.example' }, 'origin_mismatch'],
    ['another RP id', { rpId: 'evil.example' }, 'rp_id_mismatch'],
    ['no user presence', { flags: { up: false } }, 'user_not_present'],
    ['no user verification', { flags: { uv: false } }, 'user_not_verified'],
    ['a signature over other data', { signOver: Buffer.from('something else') }, 'bad_signature'],
    ['an old (replayed) challenge', { challenge: newChallenge() }, 'challenge_mismatch'],
    ['a registration ceremony', { type: 'webauthn.create' }, 'ceremony_mismatch'],
    ['a counter that went backwards', { counter: 0 }, 'counter_regressed'],
    ['a counter that did not grow', { counter: 1 }, 'counter_regressed'],
  ];

  it.each(cases)('refuses %s', async (_what, overrides, code) => {
    const { authenticator, passkey } = await enrolled();
    const { challenge, response } = await assertion(authenticator, passkey, overrides);
    expect(await rejectionOf(verifyAuthentication({ response, expectedChallenge: challenge, origins, rpId, passkey }))).toBe(code);
  });

  it('refuses a cloned authenticator whose counter lags behind the stored one', async () => {
    const { authenticator, passkey } = await enrolled();
    const { challenge, response } = await assertion(authenticator, passkey);
    const stored = { ...passkey, counter: 10 };
    expect(await rejectionOf(verifyAuthentication({ response, expectedChallenge: challenge, origins, rpId, passkey: stored }))).toBe('counter_regressed');
  });

  it('refuses an assertion by a credential other than the stored one', async () => {
    const { passkey } = await enrolled();
    const other = await enrolled();
    const { challenge, response } = await assertion(other.authenticator, other.passkey);
    expect(await rejectionOf(verifyAuthentication({ response, expectedChallenge: challenge, origins, rpId, passkey }))).toBe('unknown_credential');
  });

  it('refuses a signature by another key that claims the stored credential id', async () => {
    const { passkey } = await enrolled();
    const attacker = await enrolled();
    const { challenge, response } = await assertion(attacker.authenticator, attacker.passkey, { claimedId: passkey.credentialId });
    expect(await rejectionOf(verifyAuthentication({ response, expectedChallenge: challenge, origins, rpId, passkey }))).toBe('bad_signature');
  });

  it('refuses a user handle that names another account than the credential', async () => {
    const { authenticator, passkey } = await enrolled();
    const { challenge, response } = await assertion(authenticator, passkey, { userHandle: userHandleOf(randomUUID()) });
    expect(
      await rejectionOf(verifyAuthentication({ response, expectedChallenge: challenge, origins, rpId, passkey, expectedUserId: randomUUID() })),
    ).toBe('user_handle_mismatch');
  });

  it('accepts an assertion without a user handle (a non-discoverable login names no user)', async () => {
    const { userId, authenticator, passkey } = await enrolled();
    const { challenge, response } = await assertion(authenticator, passkey, { userHandle: null });
    const verified = await verifyAuthentication({ response, expectedChallenge: challenge, origins, rpId, passkey, expectedUserId: userId });
    expect(verified.newCounter).toBe(2);
  });

  it('refuses a signature that is not DER as a bad signature, not an exception', async () => {
    const { authenticator, passkey } = await enrolled();
    const { challenge, response } = await assertion(authenticator, passkey);
    const garbled = { ...response, response: { ...response.response, signature: 'AAAA' } };
    expect(await rejectionOf(verifyAuthentication({ response: garbled, expectedChallenge: challenge, origins, rpId, passkey }))).toBe('bad_signature');
  });

  it('refuses ill-typed, oversized or undecodable assertions as malformed', async () => {
    const { authenticator, passkey } = await enrolled();
    const { challenge, response } = await assertion(authenticator, passkey);
    const bad: unknown[] = [
      undefined, null, 1, true, 'assertion', [], {},
      { ...response, rawId: undefined },
      { ...response, id: ['x'], rawId: ['x'] },
      { ...response, response: { ...response.response, signature: 42 } },
      { ...response, response: { ...response.response, signature: 'A'.repeat(20_000) } },
      { ...response, response: { ...response.response, userHandle: 'not base64url!' } },
      { ...response, response: { ...response.response, authenticatorData: 'AAAA' } },
      { ...response, response: { ...response.response, clientDataJSON: 'AAAA' } },
    ];
    for (const candidate of bad) {
      expect(await rejectionOf(verifyAuthentication({ response: candidate, expectedChallenge: challenge, origins, rpId, passkey }))).toBe('malformed_response');
    }
  });
});

describe('passkeys: helpers', () => {
  it('newChallenge gives 32 random bytes, base64url, different every time', () => {
    const a = newChallenge();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newChallenge()).not.toBe(a);
  });

  it('refuses a challenge that is not canonical base64url of at least 16 bytes', async () => {
    for (const challenge of ['short', `${newChallenge()}=`, 'not base64url at all, but long enough to pass a length check']) {
      await expect(authenticationOptions({ rpId, allow: [], challenge })).rejects.toThrow(TypeError);
    }
  });

  it('credentialIdOf reads a well-formed id and ignores anything else', () => {
    expect(credentialIdOf({ id: 'abc_-1', rawId: 'abc_-1', response: {} })).toBe('abc_-1');
    for (const value of [null, 'abc', {}, { id: 'abc' }, { id: 'abc', rawId: 'abd' }, { id: 'a=', rawId: 'a=' }, { id: 'A'.repeat(2000), rawId: 'A'.repeat(2000) }]) {
      expect(credentialIdOf(value)).toBeUndefined();
    }
  });

  it('counterAdvances: 0 then 0 is fine, otherwise it must strictly grow', () => {
    expect(counterAdvances(0, 0)).toBe(true);
    expect(counterAdvances(0, 1)).toBe(true);
    expect(counterAdvances(5, 6)).toBe(true);
    expect(counterAdvances(5, 5)).toBe(false);
    expect(counterAdvances(5, 0)).toBe(false);
    expect(counterAdvances(5, 4)).toBe(false);
  });
});
