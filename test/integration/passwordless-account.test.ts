import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { checkCredentials, passwordLogin } from '../../lib/accounts/login';
import { createPasswordHasher } from '../../lib/accounts/password';
import { createDynamoDbPasskeyStore } from '../../lib/aws/dynamodb-passkey-store';
import { createDynamoDbTicketStore } from '../../lib/aws/dynamodb-ticket-store';
import { emailKey } from '../../lib/aws/users-table';
import { loadAttemptLimits, loadStorageConfig } from '../../lib/core/config';
import { InvalidCredentialsError } from '../../lib/core/errors';
import { createKeyring } from '../../lib/core/keyring';
import { createChallengeStore } from '../../lib/passkeys/challenges';
import { createPasskeyHasher } from '../../lib/passkeys/passkey-hashes';
import { finishRegistration, passkeyLogin, startLogin, startRegistration } from '../../lib/passkeys/passkey-service';
import { claimsOf } from '../support/mfa-kit';
import { createTestApp, PASSWORD, uniqueEmail } from '../support/fixtures';
import { createSoftAuthenticator } from '../support/soft-authenticator';

// An account may have no password: one created through another identity provider. On DynamoDB
// Local: the store keeps no password attribute, a password login is refused exactly like a wrong
// password (and costs the same hash), and every other way in still works.
const hasher = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '203.0.113.8' };
const webauthn = { rpId: 'localhost', rpName: 'Auth', origins: ['http://localhost:3000'] };

async function setUp() {
  // Counts the hashes a login costs, so "as long as a wrong password" is checked, not assumed.
  const hashes = { verify: 0, againstNothing: 0 };
  const passwords = {
    ...hasher,
    verify: (password: string, phc: string) => (hashes.verify++, hasher.verify(password, phc)),
    verifyAgainstNothing: (password: string) => (hashes.againstNothing++, hasher.verifyAgainstNothing(password)),
  };
  const context = await createTestApp({}, { passwords });
  const { usersTable } = loadStorageConfig(context.env);
  const id = randomUUID();
  const email = uniqueEmail('passwordless');
  // As another identity provider's sign-up would create it: verified, no password.
  await context.users.create({ id, email, createdAt: context.clock.now(), emailVerified: true, mfaEnabled: false, credentialsVersion: 0 });
  const login = (password: string) =>
    passwordLogin(
      { clock: context.clock, users: context.users, passwords, limits: loadAttemptLimits(context.env), logger: context.log.logger, sessions: context.sessionIssuer, policy: { requireVerifiedEmail: false } },
      email,
      password,
      client,
    );
  const passkeyDeps = {
    clock: context.clock,
    users: context.users,
    passkeys: createDynamoDbPasskeyStore(context.documents, usersTable),
    challenges: createChallengeStore(createDynamoDbTicketStore(context.documents, usersTable)),
    hashes: createPasskeyHasher(createKeyring(randomBytes(32))),
    webauthn,
    logger: context.log.logger,
    reauth: { maxAgeSeconds: 300 },
    notify: async () => undefined,
    sessions: context.sessionIssuer,
    policy: { requireVerifiedEmail: true },
  };
  return { ...context, id, email, usersTable, hashes, passwords, login, passkeyDeps };
}

describe('an account without a password (DynamoDB Local)', () => {
  it('is stored without a password attribute and read back with none, never the string "undefined"', async () => {
    const { users, documents, usersTable, id, email } = await setUp();
    const { Item } = await documents.send(new GetCommand({ TableName: usersTable, Key: emailKey(email) }));
    expect(Item).toBeDefined();
    expect(Item).not.toHaveProperty('passwordHash');
    expect(await users.findByEmail(email)).toMatchObject({ id, email, passwordHash: undefined });
    expect((await users.findById(id))?.passwordHash).toBeUndefined();
  });

  it('refuses a password login with invalid_credentials, after one full hash, and logs it like a wrong password', async () => {
    const { login, hashes, log, id } = await setUp();
    await expect(login(PASSWORD)).rejects.toThrow(InvalidCredentialsError);
    await expect(login('undefined')).rejects.toMatchObject({ code: 'invalid_credentials', status: 401 });
    expect(hashes).toEqual({ verify: 0, againstNothing: 2 });
    expect(log.lines.filter((line) => line.security_event === 'login_failed')).toEqual([
      expect.objectContaining({ userId: id, knownAccount: true }),
      expect.objectContaining({ userId: id, knownAccount: true }),
    ]);
  });

  it('refuses every password check (password change, DELETE /me, re-authentication use it) and counts it toward the throttle', async () => {
    const { clock, users, passwords, log, env, email } = await setUp();
    const limits = { ...loadAttemptLimits(env), maxAttempts: 2 };
    const check = () => checkCredentials({ clock, users, passwords, limits, logger: log.logger }, email, PASSWORD, client);
    await expect(check()).rejects.toThrow(InvalidCredentialsError);
    await expect(check()).rejects.toThrow(InvalidCredentialsError);
    await expect(check()).rejects.toMatchObject({ code: 'too_many_attempts', status: 429 });
  });

  it('signs in through an upstream provider, enrols a passkey with that session, and then signs in with the passkey', async () => {
    // Arrange: a session another identity provider vouched for.
    const { sessionIssuer, passkeyDeps, id, email } = await setUp();
    const upstream = await sessionIssuer.open(id, [{ method: 'idp', idp: 'example' }], client);
    const signIn = { amr: claimsOf(upstream.accessToken).amr as string[], authTime: claimsOf(upstream.accessToken).auth_time as number };
    expect(signIn.amr).toEqual(['fed']);
    const authenticator = createSoftAuthenticator({ rpId: webauthn.rpId, origin: webauthn.origins[0]! });
    // Act: enrol, then sign in with the passkey.
    const options = await startRegistration(passkeyDeps, id, signIn);
    await finishRegistration(passkeyDeps, id, signIn, authenticator.register(options), 'Laptop', client);
    const { challenge_id: challengeId, options: assertionOptions } = await startLogin(passkeyDeps, email);
    const tokens = await passkeyLogin(passkeyDeps, challengeId, authenticator.assert(assertionOptions), client);
    // Assert: a session of this account; a passkey enrolled without mfa is on probation, so no mfa yet.
    expect(tokens.userId).toBe(id);
    expect(claimsOf(tokens.accessToken)).toMatchObject({ sub: id, amr: ['hwk', 'user'] });
  });

  it('can be given a password later (a reset sets one), and then a password login works', async () => {
    const { changes, login, email, id } = await setUp();
    expect(await changes.setPasswordHash(email, id, await hasher.hash(PASSWORD))).toBe(true);
    await expect(login(PASSWORD)).resolves.toMatchObject({ userId: id });
  });
});
