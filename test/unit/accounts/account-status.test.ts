import { randomBytes, randomUUID } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { createMemoryMailer } from '../../../lib/email/mailer';
import { createOneTimeTokenCodec } from '../../../lib/tokens/one-time-token';
import { disableAccount, enableAccount } from '../../../lib/accounts/account-status';
import { createPasswordHasher } from '../../../lib/accounts/password';
import { requestPasswordReset } from '../../../lib/accounts/password-recovery';
import { AccountDisabledError, InvalidCredentialsError, InvalidRefreshTokenError, NotFoundError } from '../../../lib/core/errors';
import { endAllSessions } from '../../../lib/sessions/session-service';
import { PASSWORD_PROOF } from '../../../lib/sessions/sign-in';
import { createTestApp, PASSWORD, uniqueEmail } from '../../support/fixtures';

// Disabled accounts on the in-memory stores, wired as the functions wire them.
const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });
const client = { userAgent: 'jest', ip: '192.0.2.1' };
const ADMIN = { actorId: randomUUID(), ip: '198.51.100.7', userAgent: 'admin-console' };

async function setup() {
  const context = await createTestApp({}, { stores: 'memory', passwords });
  const email = uniqueEmail('disabled');
  const { userId } = await context.app.accounts.register(email, PASSWORD);
  const deps = {
    users: context.users,
    logger: context.log.logger,
    endSessions: (id: string) => endAllSessions({ sessions: context.sessionStore, clock: context.clock }, id, 'account_disabled'),
  };
  return { ...context, email, userId, deps, login: (password = PASSWORD) => context.app.sessions.login(email, password, client) };
}

describe('disabled accounts', () => {
  it('disabling ends every session: their refresh tokens answer invalid_refresh_token, and the admin action is logged with the actor', async () => {
    const { app, userId, deps, login, log } = await setup();
    const first = await login();
    const second = await login();
    await disableAccount(deps, userId, ADMIN);
    await expect(app.sessions.refresh(first.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    await expect(app.sessions.refresh(second.refreshToken, client)).rejects.toThrow(InvalidRefreshTokenError);
    expect(log.lines.filter((line) => line.security_event === 'account_disabled')).toEqual([expect.objectContaining({ userId, actorId: ADMIN.actorId, ip: ADMIN.ip })]);
  });

  it('a right password gets 403 account_disabled; a wrong one still gets invalid_credentials, so the refusal tells nothing without the password', async () => {
    const { userId, deps, login, log } = await setup();
    await disableAccount(deps, userId);
    await expect(login('not the password')).rejects.toThrow(InvalidCredentialsError);
    await expect(login()).rejects.toMatchObject({ code: 'account_disabled', status: 403 });
    expect(log.lines.filter((line) => line.security_event === 'login_failed').map((line) => line.reason)).toEqual([undefined, 'account_disabled']);
  });

  it('/me with a still-valid access token answers account_disabled', async () => {
    const { app, userId, deps } = await setup();
    await disableAccount(deps, userId);
    await expect(app.accounts.describe(userId)).rejects.toThrow(AccountDisabledError);
  });

  it('a login that checked the password just before the disable opens no session: the session write is guarded by the flag', async () => {
    const { sessionIssuer, users, userId, email, deps } = await setup();
    const { passwordHash } = (await users.findById(userId))!;
    await disableAccount(deps, userId);
    await expect(sessionIssuer.open(userId, [PASSWORD_PROOF], client, { email, userId, passwordHash: passwordHash! })).rejects.toThrow(InvalidCredentialsError);
  });

  it('password reset emails are not sent to a disabled account (the caller sees the same answer)', async () => {
    const { users, changes, userId, email, deps, clock, log } = await setup();
    const mailer = createMemoryMailer();
    const resetDeps = {
      clock,
      users,
      changes,
      mailer,
      logger: log.logger,
      oneTimeTokens: createOneTimeTokenCodec(createKeyring(randomBytes(32))),
      email: { appBaseUrl: 'https://app.example.com/account', serviceName: 'Acme', verificationTtlSeconds: 86_400, passwordResetTtlSeconds: 1800 },
      floor: { floorMs: 0, sleep: async () => undefined },
    };
    await requestPasswordReset(resetDeps, email, client);
    expect(mailer.sent.filter((message) => message.to === email)).toHaveLength(1);
    clock.advance(3_600_000);
    await disableAccount(deps, userId);
    await expect(requestPasswordReset(resetDeps, email, client)).resolves.toBeUndefined();
    expect(mailer.sent.filter((message) => message.to === email)).toHaveLength(1);
  });

  it('disabling moves the account to its next credentials version; enabling lets the password log in again', async () => {
    const { users, userId, deps, login, log } = await setup();
    const before = (await users.findById(userId))!.credentialsVersion;
    await disableAccount(deps, userId);
    expect(await users.findById(userId)).toMatchObject({ disabled: true, credentialsVersion: before + 1 });
    await enableAccount(deps, userId, ADMIN);
    expect((await users.findById(userId))?.disabled).toBeUndefined();
    await expect(login()).resolves.toMatchObject({ userId });
    expect(log.lines.filter((line) => line.security_event === 'account_enabled')).toEqual([expect.objectContaining({ userId, actorId: ADMIN.actorId })]);
  });

  it('an unknown id is NotFoundError for both', async () => {
    const { deps } = await setup();
    await expect(disableAccount(deps, randomUUID())).rejects.toThrow(NotFoundError);
    await expect(enableAccount(deps, randomUUID())).rejects.toThrow(NotFoundError);
  });
});
