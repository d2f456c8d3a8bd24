import { randomBytes, randomUUID } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { bindingHolds } from '../../../lib/accounts/user-store';
import { EmailNotVerifiedError, InvalidCredentialsError, InvalidPasskeyError, InvalidRequestError, NotFoundError, ReauthenticationRequiredError, TooManyAttemptsError } from '../../../lib/core/errors';
import {
  CHALLENGE_TTL_MS,
  MAX_PASSKEYS_PER_ACCOUNT,
  PASSKEY_AMR,
  createMemoryChallengeStore,
  createMemoryPasskeyStore,
  createPasskeyHasher,
  finishRegistration,
  listPasskeys,
  passkeyLogin,
  provePasskey,
  purgePasskeys,
  removePasskey,
  startLogin,
  startRegistration,
} from '../../../lib/passkeys';
import type { FactorChange } from '../../../lib/reauth/factor-change';
import type { SignIn } from '../../../lib/reauth/recent-sign-in';
import type { IssuedTokens } from '../../../lib/sessions/session-service';
import type { CredentialGuard } from '../../../lib/sessions/session-store';
import { amrOf, passkeyIdOf, passkeyProof, type SignInProof } from '../../../lib/sessions/sign-in';
import { capturingLogger, frozenClock } from '../../support/fixtures';
import { createSoftAuthenticator, type AssertionOverrides, type RegistrationOverrides, type SoftAuthenticator } from '../../support/soft-authenticator';

const rpId = 'localhost';
const origin = 'http://localhost:3000';
const webauthn = { rpId, rpName: 'Auth', origins: [origin] };
const client = { ip: '203.0.113.9', userAgent: 'jest' };
const REAUTH = { maxAgeSeconds: 300 };

/** The passkey use cases on memory stores, a frozen clock and a session issuer that records what it opens. */
async function setUp(options: { requireVerifiedEmail?: boolean } = {}) {
  const clock = frozenClock();
  const users = createMemoryUserStore();
  const passkeys = createMemoryPasskeyStore(users);
  const challenges = createMemoryChallengeStore();
  const hashes = createPasskeyHasher(createKeyring(randomBytes(32)));
  const log = capturingLogger();
  const opened: { userId: string; amr: readonly string[]; passkeyId?: string }[] = [];
  const sessions = {
    /** Like the session store: a guarded session is opened only while the account holds the guard. */
    async open(userId: string, proofs: readonly SignInProof[], _client: unknown, guard?: CredentialGuard): Promise<IssuedTokens> {
      const amr = amrOf(proofs);
      const passkeyId = passkeyIdOf(proofs);
      if (guard && 'credentialsVersion' in guard && !bindingHolds(await users.findByEmail(guard.email), guard)) throw new InvalidCredentialsError();
      opened.push({ userId, amr, ...(passkeyId === undefined ? {} : { passkeyId }) });
      return { userId, sessionId: 's', accessToken: 'a', expiresIn: 900, refreshToken: 'r', refreshTokenExpiresIn: 60 };
    },
  };
  const notices: { userId: string; change: FactorChange }[] = [];
  const endedFor: string[] = [];
  const deps = {
    clock, users, passkeys, challenges, hashes, webauthn, sessions, logger: log.logger,
    policy: { requireVerifiedEmail: options.requireVerifiedEmail ?? false },
    reauth: REAUTH,
    limits: { maxAttempts: 5, windowSeconds: 900 },
    notify: async (account: { id: string }, change: FactorChange) => void notices.push({ userId: account.id, change }),
    endSessionsOfPasskey: async (_userId: string, credentialId: string) => (endedFor.push(credentialId), 0),
  };
  /** A sign-in a second ago with a second factor: every sensitive change passes the rule. */
  const recent = (amr: readonly string[] = ['hwk', 'user', 'mfa']): SignIn => ({ authTime: Math.floor(clock.now() / 1000) - 1, amr });

  const newAccount = async (emailVerified = true) => {
    const id = randomUUID();
    const email = `${id}@example.com`;
    await users.create({ id, email, passwordHash: 'unused', createdAt: clock.now(), emailVerified, mfaEnabled: false, credentialsVersion: 0 });
    return { id, email, authenticator: createSoftAuthenticator({ rpId, origin }) };
  };

  const register = async (userId: string, authenticator: SoftAuthenticator, overrides?: RegistrationOverrides, name?: string) => {
    const options = await startRegistration(deps, userId, recent());
    return finishRegistration(deps, userId, recent(), authenticator.register(options, overrides), name, client);
  };

  const assertionFor = async (authenticator: SoftAuthenticator, email?: string, overrides?: AssertionOverrides) => {
    const { challenge_id: challengeId, options } = await startLogin(deps, email);
    return { challengeId, response: authenticator.assert(options, overrides) };
  };

  const login = async (authenticator: SoftAuthenticator, overrides?: AssertionOverrides) => {
    const { challengeId, response } = await assertionFor(authenticator, undefined, overrides);
    return passkeyLogin(deps, challengeId, response, client);
  };

  /** A password change, as lib/accounts makes it: the new hash and the next credentials version in one write. */
  const changePassword = async (userId: string) => {
    const account = (await users.findById(userId))!;
    expect(await createMemoryAccountChangeStore(users.accounts).setPasswordHash(account.email, userId, 'new-hash')).toBe(true);
  };

  return { deps, clock, users, passkeys, challenges, log, opened, notices, endedFor, recent, newAccount, register, assertionFor, login, changePassword };
}

const securityEvents = (lines: Record<string, unknown>[]) => lines.filter((line) => line.security_event).map((line) => line.security_event);

describe('passkey registration', () => {
  it('stores a passkey for the caller, lists it, and logs passkey_added', async () => {
    const { newAccount, register, passkeys, deps, log } = await setUp();
    const { id, authenticator } = await newAccount();
    const created = await register(id, authenticator, undefined, 'Laptop');
    expect(created).toEqual({ id: authenticator.credentials[0]!.id, name: 'Laptop', created_at: new Date(deps.clock.now()).toISOString(), last_used_at: null });
    expect(passkeys.items.get(created.id)).toMatchObject({ userId: id, counter: 1, transports: ['internal'], backedUp: false, deviceType: 'singleDevice', lastUsedAt: undefined });
    expect(await listPasskeys(deps, id)).toEqual({ passkeys: [created] });
    expect(securityEvents(log.lines)).toEqual(['passkey_added']);
  });

  it('excludes the credentials the account already has, and names a passkey "Passkey" by default', async () => {
    const { newAccount, register, deps, recent } = await setUp();
    const { id, authenticator } = await newAccount();
    const first = await register(id, authenticator);
    expect(first.name).toBe('Passkey');
    const options = await startRegistration(deps, id, recent());
    expect(options.excludeCredentials).toEqual([{ id: first.id, type: 'public-key', transports: ['internal'] }]);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'preferred' });
    expect(options.attestation).toBe('none');
  });

  it('refuses a response for a challenge issued to another account, which keeps its challenge', async () => {
    const { newAccount, deps, recent } = await setUp();
    const ada = await newAccount();
    const mallory = await newAccount();
    const adasOptions = await startRegistration(deps, ada.id, recent());
    const response = mallory.authenticator.register(adasOptions);
    await expect(finishRegistration(deps, mallory.id, recent(), response, undefined, client)).rejects.toThrow(InvalidPasskeyError);
    const adasResponse = ada.authenticator.register(adasOptions);
    await expect(finishRegistration(deps, ada.id, recent(), adasResponse, undefined, client)).resolves.toMatchObject({ name: 'Passkey' });
  });

  it('refuses a replayed registration response: the challenge is single-use', async () => {
    const { newAccount, deps, recent } = await setUp();
    const { id, authenticator } = await newAccount();
    const response = authenticator.register(await startRegistration(deps, id, recent()));
    await finishRegistration(deps, id, recent(), response, undefined, client);
    await expect(finishRegistration(deps, id, recent(), response, undefined, client)).rejects.toMatchObject({ code: 'invalid_passkey' });
  });

  it('refuses a registration after the 5-minute challenge lifetime', async () => {
    const { newAccount, deps, clock, recent } = await setUp();
    const { id, authenticator } = await newAccount();
    const response = authenticator.register(await startRegistration(deps, id, recent()));
    clock.advance(CHALLENGE_TTL_MS);
    await expect(finishRegistration(deps, id, recent(), response, undefined, client)).rejects.toThrow(InvalidPasskeyError);
  });

  it.each<[string, RegistrationOverrides]>([
    ['another origin', { origin: 'https://evil.example' }],
    ['another RP id', { rpId: 'evil.example' }],
    ['no user verification', { flags: { uv: false } }],
    ['a challenge never issued', { challenge: randomBytes(32).toString('base64url') }],
    ['a login ceremony type', { type: 'webauthn.get' }],
  ])('refuses %s with invalid_passkey', async (_case, overrides) => {
    const { newAccount, register, deps } = await setUp();
    const { id, authenticator } = await newAccount();
    await expect(register(id, authenticator, overrides)).rejects.toMatchObject({ code: 'invalid_passkey' });
    expect(await listPasskeys(deps, id)).toEqual({ passkeys: [] });
  });

  it.each<[string, unknown]>([
    ['a number', 42],
    ['an empty object', {}],
    ['ill-typed members', { id: 5, rawId: [], type: 'public-key', response: { clientDataJSON: {} } }],
    ['clientDataJSON that is not JSON', { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: 'bm90IGpzb24', attestationObject: 'AA' } }],
  ])('refuses %s as a response with invalid_passkey, never a TypeError', async (_case, response) => {
    const { newAccount, deps, recent } = await setUp();
    const { id } = await newAccount();
    await startRegistration(deps, id, recent());
    await expect(finishRegistration(deps, id, recent(), response, undefined, client)).rejects.toThrow(InvalidPasskeyError);
  });

  it(`caps an account at ${MAX_PASSKEYS_PER_ACCOUNT} passkeys with invalid_request`, async () => {
    const { newAccount, register, deps, recent } = await setUp();
    const { id } = await newAccount();
    for (let index = 0; index < MAX_PASSKEYS_PER_ACCOUNT; index++) await register(id, createSoftAuthenticator({ rpId, origin }));
    await expect(startRegistration(deps, id, recent())).rejects.toThrow(InvalidRequestError);
  });

  it('answers not_found for an account that no longer exists', async () => {
    const { deps, recent } = await setUp();
    await expect(startRegistration(deps, randomUUID(), recent())).rejects.toThrow(NotFoundError);
  });
});

describe('passkey login', () => {
  it('logs in usernameless, opens a session with amr hwk/user/mfa, and records counter and last use', async () => {
    const { newAccount, register, login, opened, passkeys, deps, clock } = await setUp();
    const { id, authenticator } = await newAccount();
    const { id: credentialId } = await register(id, authenticator);
    clock.advance(60_000);
    await expect(login(authenticator)).resolves.toMatchObject({ userId: id });
    expect(opened).toEqual([{ userId: id, amr: ['hwk', 'user', 'mfa'], passkeyId: credentialId }]);
    expect(PASSKEY_AMR).toEqual(['hwk', 'user', 'mfa']);
    expect(passkeys.items.get(credentialId)).toMatchObject({ counter: 2, lastUsedAt: clock.now() });
    expect((await listPasskeys(deps, id)).passkeys[0]!.last_used_at).toBe(new Date(clock.now()).toISOString());
  });

  it('does not ask for TOTP on an account that has it on', async () => {
    const { users, register, login, opened } = await setUp();
    const id = randomUUID();
    await users.create({ id, email: `${id}@example.com`, passwordHash: 'unused', createdAt: 0, emailVerified: true, mfaEnabled: true, credentialsVersion: 0 });
    const authenticator = createSoftAuthenticator({ rpId, origin });
    await register(id, authenticator);
    await login(authenticator);
    expect(opened.map((session) => session.amr)).toEqual([PASSKEY_AMR]);
  });

  it('refuses a replayed challenge', async () => {
    const { newAccount, register, assertionFor, deps } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    const { challengeId, response } = await assertionFor(authenticator);
    await passkeyLogin(deps, challengeId, response, client);
    await expect(passkeyLogin(deps, challengeId, response, client)).rejects.toThrow(InvalidPasskeyError);
  });

  it('burns the challenge on a failed attempt: a correct response after it is refused', async () => {
    const { newAccount, register, deps } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    const { challenge_id: challengeId, options } = await startLogin(deps, undefined);
    await expect(passkeyLogin(deps, challengeId, authenticator.assert(options, { origin: 'https://evil.example' }), client)).rejects.toThrow(InvalidPasskeyError);
    await expect(passkeyLogin(deps, challengeId, authenticator.assert(options), client)).rejects.toThrow(InvalidPasskeyError);
  });

  it('refuses an unknown challenge_id, and a response signed over the challenge of another challenge_id', async () => {
    const { newAccount, register, assertionFor, deps } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    const { response } = await assertionFor(authenticator);
    await expect(passkeyLogin(deps, 'not-a-challenge-id', response, client)).rejects.toThrow(InvalidPasskeyError);
    const other = await startLogin(deps, undefined);
    await expect(passkeyLogin(deps, other.challenge_id, response, client)).rejects.toThrow(InvalidPasskeyError);
  });

  it('refuses a login after the 5-minute challenge lifetime', async () => {
    const { newAccount, register, assertionFor, deps, clock } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    const { challengeId, response } = await assertionFor(authenticator);
    clock.advance(CHALLENGE_TTL_MS);
    await expect(passkeyLogin(deps, challengeId, response, client)).rejects.toThrow(InvalidPasskeyError);
  });

  it.each<[string, AssertionOverrides]>([
    ['another origin', { origin: 'https://evil.example' }],
    ['another RP id', { rpId: 'evil.example' }],
    ['a signature over other data', { signOver: new Uint8Array(randomBytes(64)) }],
    ['no user verification', { flags: { uv: false } }],
    ['no user presence', { flags: { up: false } }],
    ['a registration ceremony type', { type: 'webauthn.create' }],
    ['a user handle of another account', { userHandle: Buffer.from(randomUUID()).toString('base64url') }],
    ['a credential id nobody registered', { claimedId: randomBytes(16).toString('base64url') }],
  ])('refuses %s with invalid_passkey and opens nothing', async (_case, overrides) => {
    const { newAccount, register, login, opened } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    await expect(login(authenticator, overrides)).rejects.toMatchObject({ code: 'invalid_passkey' });
    expect(opened).toEqual([]);
  });

  it('refuses a credential of another account signed by the wrong key, and one the authenticator holds but never registered', async () => {
    const { newAccount, register, login, opened, deps, recent } = await setUp();
    const ada = await newAccount();
    const mallory = await newAccount();
    await register(ada.id, ada.authenticator);
    await register(mallory.id, mallory.authenticator);
    // Mallory's key signs, but the response names Ada's credential.
    await expect(login(mallory.authenticator, { claimedId: ada.authenticator.credentials[0]!.id })).rejects.toThrow(InvalidPasskeyError);
    // A credential the store does not know: created, but its registration never verified.
    const stray = await newAccount();
    stray.authenticator.register(await startRegistration(deps, stray.id, recent()));
    await expect(login(stray.authenticator)).rejects.toThrow(InvalidPasskeyError);
    expect(opened).toEqual([]);
  });

  it('refuses a counter that goes backwards with invalid_passkey and a passkey_counter_regressed event', async () => {
    const { newAccount, register, login, log, opened } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    await login(authenticator);
    await expect(login(authenticator, { counter: 1 })).rejects.toThrow(InvalidPasskeyError);
    expect(opened).toHaveLength(1);
    expect(log.lines.find((line) => line.security_event === 'passkey_counter_regressed')).toMatchObject({ userId: id, storedCounter: 2 });
  });

  it('refuses an account that is gone, and one that must verify its email first under REQUIRE_VERIFIED_EMAIL', async () => {
    const strict = await setUp({ requireVerifiedEmail: true });
    const unverified = await strict.newAccount();
    await strict.register(unverified.id, unverified.authenticator);
    // Only a verified account can add a passkey; a legacy one that never verified is refused at login.
    strict.users.accounts.set(unverified.email, { ...strict.users.accounts.get(unverified.email)!, emailVerified: false });
    await expect(strict.login(unverified.authenticator)).rejects.toThrow(EmailNotVerifiedError);

    const { newAccount, register, login, passkeys, opened } = await setUp();
    const orphan = await newAccount();
    await register(orphan.id, orphan.authenticator);
    const [record] = [...passkeys.items.values()];
    passkeys.items.set(record!.credentialId, { ...record!, userId: randomUUID() });
    await expect(login(orphan.authenticator)).rejects.toThrow(InvalidPasskeyError);
    expect(opened).toEqual([]);
  });
});

describe('passkey login of a disabled account', () => {
  it('answers account_disabled only after the assertion verified; a wrong origin stays invalid_passkey; nothing opens', async () => {
    const { newAccount, register, login, users, opened } = await setUp();
    const account = await newAccount();
    await register(account.id, account.authenticator);
    expect(await users.setDisabled(account, true)).toBe(true);
    await expect(login(account.authenticator, { origin: 'https://evil.example' })).rejects.toThrow(InvalidPasskeyError);
    await expect(login(account.authenticator)).rejects.toMatchObject({ code: 'account_disabled', status: 403 });
    expect(opened).toEqual([]);
  });

  it('a challenge asked for with the email before the disable no longer logs in: the disable moved the credentials version', async () => {
    const { newAccount, register, assertionFor, users, deps } = await setUp();
    const account = await newAccount();
    await register(account.id, account.authenticator);
    const { challengeId, response } = await assertionFor(account.authenticator, account.email);
    expect(await users.setDisabled(account, true)).toBe(true);
    await expect(passkeyLogin(deps, challengeId, response, client)).rejects.toThrow(InvalidPasskeyError);
  });
});

describe('passkey login options', () => {
  it('lists an account\'s passkeys for its email, nothing without an email', async () => {
    const { newAccount, register, deps } = await setUp();
    const { id, email, authenticator } = await newAccount();
    const created = await register(id, authenticator);
    const withEmail = await startLogin(deps, email);
    expect(withEmail.options.allowCredentials).toEqual([{ id: created.id, type: 'public-key', transports: ['internal'] }]);
    expect(withEmail.challenge_id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(withEmail.options).toMatchObject({ rpId, userVerification: 'preferred' });
    expect((await startLogin(deps, undefined)).options.allowCredentials).toEqual([]);
  });

  const idBytes = (id: string) => Buffer.from(id, 'base64url').length;

  it('answers an unknown email, or an account without passkeys, with decoys that stay the same at every call', async () => {
    const { newAccount, deps } = await setUp();
    const { email: withoutPasskeys } = await newAccount();
    for (const email of ['nobody@example.com', withoutPasskeys]) {
      const calls = await Promise.all([1, 2, 3].map(() => startLogin(deps, email)));
      const [first] = calls;
      expect(first!.options.allowCredentials!.length).toBeGreaterThanOrEqual(1);
      for (const call of calls) expect(call.options.allowCredentials).toEqual(first!.options.allowCredentials);
      expect(new Set(calls.map((call) => call.challenge_id)).size).toBe(3);
    }
    const nobody = (await startLogin(deps, 'nobody@example.com')).options.allowCredentials!;
    const other = (await startLogin(deps, withoutPasskeys)).options.allowCredentials!;
    expect(other.map((credential) => credential.id)).not.toContain(nobody[0]!.id);
  });

  it('gives decoys a count of 1 to 3 that depends on the email, each id 16 bytes with the transports of a synced passkey', async () => {
    const { deps } = await setUp();
    const counts = new Map<number, number>();
    // 200 emails: the chance that one of the three counts never shows is below 1e-11.
    for (let index = 0; index < 200; index++) {
      const allow = (await startLogin(deps, `person-${index}@example.com`)).options.allowCredentials!;
      counts.set(allow.length, (counts.get(allow.length) ?? 0) + 1);
      for (const credential of allow) {
        expect(credential).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), type: 'public-key', transports: ['hybrid', 'internal'] });
        expect(idBytes(credential.id)).toBe(16);
      }
      expect(new Set(allow.map((credential) => credential.id)).size).toBe(allow.length);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3]);
    // Most emails get one, as most accounts have one passkey.
    expect(counts.get(1)!).toBeGreaterThan(counts.get(3)!);
  });

  it('answers in the same shape as an account whose passkey is a synced platform passkey', async () => {
    const { newAccount, register, deps } = await setUp();
    const account = await newAccount();
    const synced = createSoftAuthenticator({ rpId, origin, synced: true, transports: ['hybrid', 'internal'] });
    const created = await register(account.id, synced);
    const real = await startLogin(deps, account.email);
    const decoy = await startLogin(deps, 'nobody@example.com');
    expect(real.options.allowCredentials).toEqual([{ id: created.id, type: 'public-key', transports: ['hybrid', 'internal'] }]);
    const shape = (answer: typeof real) => ({
      keys: Object.keys(answer).sort(),
      optionKeys: Object.keys(answer.options).sort(),
      challengeIdLength: answer.challenge_id.length,
      challengeLength: answer.options.challenge.length,
      credentials: answer.options.allowCredentials!.map((credential) => ({ keys: Object.keys(credential).sort(), bytes: idBytes(credential.id), type: credential.type, transports: credential.transports })),
    });
    expect(shape(decoy).credentials[0]).toEqual(shape(real).credentials[0]);
    expect({ ...shape(decoy), credentials: [] }).toEqual({ ...shape(real), credentials: [] });
  });

  it('leaves a real account\'s answer as its passkeys are: their ids and transports, in every call', async () => {
    const { newAccount, register, deps } = await setUp();
    const { id, email, authenticator } = await newAccount();
    const first = await register(id, authenticator);
    const second = await register(id, createSoftAuthenticator({ rpId, origin, transports: ['usb', 'nfc'] }));
    for (let call = 0; call < 2; call++) {
      const allow = (await startLogin(deps, email)).options.allowCredentials!;
      expect([...allow].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        [
          { id: first.id, type: 'public-key', transports: ['internal'] },
          { id: second.id, type: 'public-key', transports: ['nfc', 'usb'] },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
    }
  });
});

describe('a password reset or change ends the account\'s passkey challenges', () => {
  const warnings = (lines: Record<string, unknown>[]) => lines.filter((line) => line.message === 'passkey rejected').map((line) => line.code);

  it('a registration challenge issued before a password change no longer registers; a new one does', async () => {
    const { newAccount, changePassword, passkeys, deps, log, recent } = await setUp();
    const { id, authenticator } = await newAccount();
    const response = authenticator.register(await startRegistration(deps, id, recent()));
    await changePassword(id);
    await expect(finishRegistration(deps, id, recent(), response, undefined, client)).rejects.toThrow(InvalidPasskeyError);
    expect(passkeys.items.size).toBe(0);
    expect(warnings(log.lines)).toEqual(['credentials_changed']);
    const fresh = createSoftAuthenticator({ rpId, origin });
    await expect(finishRegistration(deps, id, recent(), fresh.register(await startRegistration(deps, id, recent())), undefined, client)).resolves.toMatchObject({ name: 'Passkey' });
  });

  it('a login challenge asked for with the account\'s email no longer logs in after a change; the counter stays, nothing opens', async () => {
    const { newAccount, register, assertionFor, changePassword, passkeys, opened, deps } = await setUp();
    const { id, email, authenticator } = await newAccount();
    const created = await register(id, authenticator);
    const { challengeId, response } = await assertionFor(authenticator, email);
    await changePassword(id);
    await expect(passkeyLogin(deps, challengeId, response, client)).rejects.toThrow(InvalidPasskeyError);
    expect(passkeys.items.get(created.id)!.counter).toBe(1);
    expect(opened).toEqual([]);
    const again = await assertionFor(authenticator, email);
    await passkeyLogin(deps, again.challengeId, again.response, client);
    expect(opened).toEqual([{ userId: id, amr: PASSKEY_AMR, passkeyId: created.id }]);
  });

  it('a usernameless login challenge is bound to no account: a change does not touch it', async () => {
    const { newAccount, register, assertionFor, changePassword, opened, deps } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    const { challengeId, response } = await assertionFor(authenticator);
    await changePassword(id);
    await passkeyLogin(deps, challengeId, response, client);
    expect(opened).toHaveLength(1);
  });

  it('a change that lands between the checks and the session still opens nothing: the session is written under the challenge\'s version', async () => {
    const { newAccount, register, assertionFor, changePassword, passkeys, opened, deps, log } = await setUp();
    const { id, email, authenticator } = await newAccount();
    await register(id, authenticator);
    const { challengeId, response } = await assertionFor(authenticator, email);
    const racing = { ...deps, passkeys: { ...passkeys, recordUse: async (...args: Parameters<typeof passkeys.recordUse>) => {
      const recorded = await passkeys.recordUse(...args);
      await changePassword(id);
      return recorded;
    } } };
    await expect(passkeyLogin(racing, challengeId, response, client)).rejects.toThrow(InvalidPasskeyError);
    expect(opened).toEqual([]);
    expect(warnings(log.lines)).toContain('credentials_changed');
  });

  it('a login challenge asked for with one account\'s email does not log in another account\'s passkey', async () => {
    const { newAccount, register, opened, deps } = await setUp();
    const ada = await newAccount();
    const mallory = await newAccount();
    await register(ada.id, ada.authenticator);
    await register(mallory.id, mallory.authenticator);
    const { challenge_id: challengeId, options } = await startLogin(deps, ada.email);
    const response = mallory.authenticator.assert({ ...options, allowCredentials: [] });
    await expect(passkeyLogin(deps, challengeId, response, client)).rejects.toThrow(InvalidPasskeyError);
    expect(opened).toEqual([]);
  });
});

describe('passkey management', () => {
  it('removes one of the caller\'s passkeys, logs passkey_removed, and the passkey no longer logs in', async () => {
    const { newAccount, register, login, deps, log, recent } = await setUp();
    const { id, authenticator } = await newAccount();
    const created = await register(id, authenticator);
    await removePasskey(deps, id, recent(), created.id, client);
    expect(await listPasskeys(deps, id)).toEqual({ passkeys: [] });
    expect(securityEvents(log.lines)).toContain('passkey_removed');
    await expect(login(authenticator)).rejects.toThrow(InvalidPasskeyError);
  });

  it('answers not_found for another account\'s passkey or an unknown one, and leaves it alone', async () => {
    const { newAccount, register, deps, recent } = await setUp();
    const ada = await newAccount();
    const mallory = await newAccount();
    const adas = await register(ada.id, ada.authenticator);
    await expect(removePasskey(deps, mallory.id, recent(), adas.id, client)).rejects.toThrow(NotFoundError);
    await expect(removePasskey(deps, ada.id, recent(), 'AAAA', client)).rejects.toThrow(NotFoundError);
    expect((await listPasskeys(deps, ada.id)).passkeys).toHaveLength(1);
  });

  it('lists newest first; purgePasskeys removes every passkey of the account and no other', async () => {
    const { newAccount, register, deps, clock, login } = await setUp();
    const ada = await newAccount();
    const bob = await newAccount();
    const older = await register(ada.id, ada.authenticator);
    clock.advance(1000);
    const newer = await register(ada.id, createSoftAuthenticator({ rpId, origin }));
    await register(bob.id, bob.authenticator);
    expect((await listPasskeys(deps, ada.id)).passkeys.map((passkey) => passkey.id)).toEqual([newer.id, older.id]);
    await purgePasskeys(deps, ada.id);
    await purgePasskeys(deps, ada.id);
    expect(await listPasskeys(deps, ada.id)).toEqual({ passkeys: [] });
    await expect(login(ada.authenticator)).rejects.toThrow(InvalidPasskeyError);
    expect((await listPasskeys(deps, bob.id)).passkeys).toHaveLength(1);
  });
});

describe('passkeys as a sensitive change, and re-authentication with a passkey', () => {
  const signedInAgo = (clock: { now(): number }, seconds: number, amr: readonly string[] = ['pwd']): SignIn => ({ authTime: Math.floor(clock.now() / 1000) - seconds, amr });

  it('refuses to add a passkey to an account whose email is not verified: email_not_verified, before the sign-in is looked at', async () => {
    const { newAccount, deps, clock } = await setUp();
    const { id, authenticator } = await newAccount(false);
    await expect(startRegistration(deps, id, signedInAgo(clock, 0))).rejects.toThrow(EmailNotVerifiedError);
    await expect(startRegistration(deps, id, signedInAgo(clock, 3600))).rejects.toMatchObject({ code: 'email_not_verified', status: 403 });
    await expect(finishRegistration(deps, id, signedInAgo(clock, 0), authenticator.register(await fakeOptions(id)), undefined, client)).rejects.toThrow(EmailNotVerifiedError);
  });

  it('needs a sign-in at most REAUTH_MAX_AGE_SECONDS old for options and verify', async () => {
    const { newAccount, deps, clock } = await setUp();
    const { id, authenticator } = await newAccount();
    await expect(startRegistration(deps, id, signedInAgo(clock, 301))).rejects.toThrow(ReauthenticationRequiredError);
    const options = await startRegistration(deps, id, signedInAgo(clock, 300));
    const response = authenticator.register(options);
    await expect(finishRegistration(deps, id, signedInAgo(clock, 301), response, undefined, client)).rejects.toMatchObject({ code: 'reauthentication_required' });
    await expect(finishRegistration(deps, id, signedInAgo(clock, 300), response, undefined, client)).resolves.toMatchObject({ name: 'Passkey' });
  });

  it('adding a second factor (a passkey beside a passkey, or beside TOTP) needs a sign-in that used one', async () => {
    const { newAccount, register, deps, clock, users } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    await expect(startRegistration(deps, id, signedInAgo(clock, 1, ['pwd']))).rejects.toMatchObject({ code: 'reauthentication_required' });
    await expect(startRegistration(deps, id, signedInAgo(clock, 1, ['hwk', 'user', 'mfa']))).resolves.toMatchObject({ challenge: expect.any(String) });

    const withTotp = randomUUID();
    await users.create({ id: withTotp, email: `${withTotp}@example.com`, passwordHash: 'unused', createdAt: 0, emailVerified: true, mfaEnabled: true, credentialsVersion: 0 });
    await expect(startRegistration(deps, withTotp, signedInAgo(clock, 1, ['pwd']))).rejects.toMatchObject({ code: 'reauthentication_required' });
    await expect(startRegistration(deps, withTotp, signedInAgo(clock, 1, ['pwd', 'otp', 'mfa']))).resolves.toMatchObject({ challenge: expect.any(String) });
  });

  it('records how a passkey was enrolled and sends a passkey_added notice', async () => {
    const { newAccount, deps, passkeys, notices, clock } = await setUp();
    const { id, authenticator } = await newAccount();
    const created = await finishRegistration(deps, id, signedInAgo(clock, 1), authenticator.register(await startRegistration(deps, id, signedInAgo(clock, 1))), undefined, client);
    expect(passkeys.items.get(created.id)).toMatchObject({ createdAt: clock.now(), enrolledAmr: ['pwd'] });
    expect(notices).toEqual([{ userId: id, change: { kind: 'passkey_added', credentialId: created.id } }]);
  });

  it('a passkey enrolled from a password-only sign-in logs in without mfa until REAUTH_MAX_AGE_SECONDS have passed', async () => {
    const { newAccount, deps, login, opened, clock } = await setUp();
    const { id, authenticator } = await newAccount();
    const enrolledAt = clock.now();
    await finishRegistration(deps, id, signedInAgo(clock, 0), authenticator.register(await startRegistration(deps, id, signedInAgo(clock, 0))), undefined, client);
    clock.set(enrolledAt + 299_999);
    await login(authenticator);
    clock.set(enrolledAt + 300_000);
    await login(authenticator);
    expect(opened.map((session) => session.amr)).toEqual([['hwk', 'user'], ['hwk', 'user', 'mfa']]);
  });

  it('removing a passkey needs a recent sign-in, ends the sessions it opened (swept before and after), and sends a passkey_removed notice', async () => {
    const { newAccount, register, deps, clock, notices, endedFor, passkeys } = await setUp();
    const { id, authenticator } = await newAccount();
    const created = await register(id, authenticator);
    await expect(removePasskey(deps, id, signedInAgo(clock, 301), created.id, client)).rejects.toThrow(ReauthenticationRequiredError);
    expect(passkeys.items.has(created.id)).toBe(true);
    expect(endedFor).toEqual([]);
    await removePasskey(deps, id, signedInAgo(clock, 300), created.id, client);
    expect(endedFor).toEqual([created.id, created.id]);
    expect(notices.at(-1)).toEqual({ userId: id, change: { kind: 'passkey_removed', credentialId: created.id } });
  });

  it('re-authenticates with one of the caller\'s passkeys: its amr and its id, the challenge spent, the counter moved', async () => {
    const { newAccount, register, assertionFor, deps, passkeys, users } = await setUp();
    const { id, email, authenticator } = await newAccount();
    const created = await register(id, authenticator);
    const { challengeId, response } = await assertionFor(authenticator);
    await expect(provePasskey(deps, id, { kind: 'passkey', challengeId, response }, client)).resolves.toEqual([passkeyProof(created.id, true)]);
    expect(passkeys.items.get(created.id)!.counter).toBe(2);
    await expect(provePasskey(deps, id, { kind: 'passkey', challengeId, response }, client)).rejects.toThrow(InvalidPasskeyError);
    // A verified proof takes its attempt back: only the replay above is counted.
    expect(users.attempts.get(email)?.count).toBe(1);
  });

  it('refuses another account\'s passkey with invalid_passkey, without touching it', async () => {
    const { newAccount, register, assertionFor, deps, passkeys } = await setUp();
    const ada = await newAccount();
    const mallory = await newAccount();
    const adas = await register(ada.id, ada.authenticator);
    const { challengeId, response } = await assertionFor(ada.authenticator);
    await expect(provePasskey(deps, mallory.id, { kind: 'passkey', challengeId, response }, client)).rejects.toMatchObject({ code: 'invalid_passkey' });
    expect(passkeys.items.get(adas.id)!.counter).toBe(1);
  });

  it('counts failed passkey proofs against the login throttle: 429 past LOGIN_MAX_FAILURES', async () => {
    const { newAccount, register, assertionFor, deps } = await setUp();
    const { id, authenticator } = await newAccount();
    await register(id, authenticator);
    for (let attempt = 0; attempt < 5; attempt++) {
      const { challengeId, response } = await assertionFor(authenticator, undefined, { origin: 'https://evil.example' });
      await expect(provePasskey(deps, id, { kind: 'passkey', challengeId, response }, client)).rejects.toThrow(InvalidPasskeyError);
    }
    const { challengeId, response } = await assertionFor(authenticator);
    await expect(provePasskey(deps, id, { kind: 'passkey', challengeId, response }, client)).rejects.toThrow(TooManyAttemptsError);
  });
});

/** Creation options of another account's ceremony, for a response whose verification never gets that far. */
async function fakeOptions(userId: string) {
  const { deps, newAccount, recent } = await setUp();
  const other = await newAccount();
  const options = await startRegistration(deps, other.id, recent());
  return { ...options, user: { ...options.user, id: Buffer.from(userId).toString('base64url') } };
}
