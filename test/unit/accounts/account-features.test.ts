import { randomBytes } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { deleteAccount, oneTimeTokenPurger } from '../../../lib/accounts/account-deletion';
import { register } from '../../../lib/accounts/account-service';
import { registerWithVerification, requestVerificationEmail, verifyEmail } from '../../../lib/accounts/email-verification';
import { checkCredentials } from '../../../lib/accounts/login';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { createPasswordHasher } from '../../../lib/accounts/password';
import { changePassword } from '../../../lib/accounts/password-change';
import { requestPasswordReset, resetPassword } from '../../../lib/accounts/password-recovery';
import { EMAIL_INTERVAL_MS } from '../../../lib/accounts/token-emails';
import { InvalidCredentialsError, InvalidOneTimeTokenError, NotFoundError, ServiceUnavailableError, TooManyAttemptsError } from '../../../lib/core/errors';
import { createMemoryMailer } from '../../../lib/email/mailer';
import { createMemorySessionStore } from '../../../lib/sessions/memory-session-store';
import { endAllSessions } from '../../../lib/sessions/session-service';
import { createOneTimeTokenCodec } from '../../../lib/tokens/one-time-token';
import { capturingLogger, frozenClock, PASSWORD, uniqueEmail } from '../../support/fixtures';
import { sessionClaimsWith } from '../../../lib/tokens/session-claims';

const NEW_PASSWORD = 'a brand new passphrase';
const CLIENT = { ip: '192.0.2.1', userAgent: 'jest' };
const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });

/** The account features on memory stores, wired as the handlers wire them. */
function world(options: { verificationTtlSeconds?: number } = {}) {
  const clock = frozenClock();
  const users = createMemoryUserStore();
  const changes = createMemoryAccountChangeStore(users.accounts);
  const sessions = createMemorySessionStore();
  const mailer = createMemoryMailer();
  const log = capturingLogger();
  const oneTimeTokens = createOneTimeTokenCodec(createKeyring(randomBytes(32)));
  const email = { appBaseUrl: 'https://app.example.com/account', serviceName: 'Acme', verificationTtlSeconds: options.verificationTtlSeconds ?? 86_400, passwordResetTtlSeconds: 1800 };
  const limits = { maxAttempts: 3, windowSeconds: 900 };
  const slept: number[] = [];
  const floor = { floorMs: 400, sleep: async (ms: number) => void slept.push(ms) };
  const tokenDeps = { clock, changes, oneTimeTokens, mailer, email };
  const base = { ...tokenDeps, users, logger: log.logger, passwords, limits };
  const endSessions = (reason: 'password_reset' | 'account_deleted') => (userId: string) => endAllSessions({ sessions, clock }, userId, reason);
  const purged: string[] = [];
  const forgotten: string[] = [];

  let sessionCounter = 0;
  const openSession = async (userId: string) => {
    const id = `session-${++sessionCounter}`.padEnd(22, 'x');
    const now = clock.now();
    await sessions.create({ id, userId, createdAt: now, lastUsedAt: now, idleExpiresAt: now + 3_600_000, absoluteExpiresAt: now + 7_200_000, generation: 0, tokenHash: id, claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(now / 1000) }) });
    return id;
  };
  const liveSessions = (userId: string) => [...sessions.items.values()].filter((session) => session.userId === userId && session.revokedAt === undefined).map((session) => session.id);
  const tokenIn = (to: string) => new URLSearchParams(new URL(mailer.lastTo(to)!.text.match(/https:\/\/\S+/)![0]).hash.slice(1)).get('token')!;

  return {
    clock,
    users,
    changes,
    sessions,
    mailer,
    log,
    slept,
    purged,
    openSession,
    liveSessions,
    tokenIn,
    register: (address: string) => registerWithVerification({ ...base, emailParts: async () => tokenDeps }, address, PASSWORD),
    verifyRequest: (userId: string) => requestVerificationEmail(base, userId),
    verify: (token: string) => verifyEmail(base, token),
    forgot: (address: string) => requestPasswordReset({ ...base, floor }, address, CLIENT),
    forgotten,
    reset: (token: string, password = NEW_PASSWORD) =>
      resetPassword({ ...base, endSessions: endSessions('password_reset'), forgetUnprovenFactors: [async (account) => void forgotten.push(account.id)] }, token, password, CLIENT),
    change: (userId: string, sessionId: string, current: string, next = NEW_PASSWORD) =>
      changePassword({ ...base, endOtherSessions: (id, except) => endAllSessions({ sessions, clock }, id, 'password_changed', { except }) }, { userId, sessionId }, current, next, CLIENT),
    remove: (userId: string, password: string) =>
      deleteAccount({ ...base, endSessions: endSessions('account_deleted'), purgers: [oneTimeTokenPurger(changes), async (account) => void purged.push(account.id)] }, userId, password, CLIENT),
    login: (address: string, password: string) => checkCredentials(base, address, password, CLIENT),
  };
}

describe('email verification', () => {
  it('register sends a verification link whose token verifies the email once; the used token is then invalid_one_time_token', async () => {
    const w = world();
    const address = uniqueEmail('verify');
    const account = await w.register(address);
    const message = w.mailer.lastTo(address)!;
    expect(message.subject).toMatch(/Confirm your email/);
    expect(message.text).toContain('https://app.example.com/account?action=verify-email#token=');
    const token = w.tokenIn(address);
    expect(token.startsWith(`${account.userId}.`)).toBe(true);

    await w.verify(token);
    expect((await w.users.findById(account.userId))!.emailVerified).toBe(true);
    expect(w.log.lines.map((line) => line.security_event)).toContain('email_verified');
    await expect(w.verify(token)).rejects.toMatchObject({ code: 'invalid_one_time_token' });
  });

  it('an already verified email accepts a newer valid token (204 again)', async () => {
    const w = world();
    const address = uniqueEmail('twice');
    const account = await w.register(address);
    await w.verify(w.tokenIn(address));
    w.clock.advance(EMAIL_INTERVAL_MS);
    await w.verifyRequest(account.userId);
    await expect(w.verify(w.tokenIn(address))).resolves.toBeUndefined();
  });

  it('verify-request within a minute of the register email is 429 too_many_attempts with the seconds left; after it, a new token supersedes the old one', async () => {
    const w = world();
    const address = uniqueEmail('throttle');
    const account = await w.register(address);
    const first = w.tokenIn(address);
    w.clock.advance(20_000);
    const refused = await w.verifyRequest(account.userId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TooManyAttemptsError);
    expect(refused).toMatchObject({ code: 'too_many_attempts', retryAfterSeconds: 40, headers: { 'Retry-After': '40' } });
    expect((refused as Error).message).toMatch(/email/);

    w.clock.advance(40_000);
    await w.verifyRequest(account.userId);
    const second = w.tokenIn(address);
    expect(second).not.toBe(first);
    await expect(w.verify(first)).rejects.toThrow(InvalidOneTimeTokenError);
    await w.verify(second);
  });

  it('an expired token is invalid_one_time_token', async () => {
    const w = world({ verificationTtlSeconds: 60 });
    const address = uniqueEmail('expired');
    await w.register(address);
    w.clock.advance(60_000);
    await expect(w.verify(w.tokenIn(address))).rejects.toMatchObject({ code: 'invalid_one_time_token' });
  });

  it.each([['empty', ''], ['no dot', 'abc'], ['short secret', 'user.abc'], ['forged secret', `00000000-0000-0000-0000-000000000000.${'A'.repeat(43)}`]])(
    'a malformed or forged token (%s) is invalid_one_time_token',
    async (_what, token) => {
      await expect(world().verify(token)).rejects.toMatchObject({ code: 'invalid_one_time_token' });
    },
  );

  it('when the email cannot be sent, registration still succeeds, logs email_send_failed without the address, and leaves no token or throttle behind', async () => {
    const w = world();
    const address = uniqueEmail('nomail');
    w.mailer.failWith(new Error('SES is down'));
    const account = await w.register(address);
    expect(await w.users.findById(account.userId)).toBeDefined();
    expect(w.changes.tokens.size).toBe(0);
    expect(w.log.lines.filter((line) => line.security_event === 'email_send_failed')).toEqual([expect.objectContaining({ userId: account.userId, kind: 'verify_email' })]);
    expect(w.log.raw.join('\n')).not.toContain(address);

    w.mailer.failWith(undefined);
    await w.verifyRequest(account.userId);
    expect(w.mailer.lastTo(address)).toBeDefined();
  });

  it('registration succeeds when the email parts cannot be built (missing settings)', async () => {
    const w = world();
    const address = uniqueEmail('noparts');
    const failing = registerWithVerification(
      { clock: w.clock, users: w.users, passwords, logger: w.log.logger, emailParts: () => Promise.reject(new Error('EMAIL_FROM is required')) },
      address,
      PASSWORD,
    );
    await expect(failing).resolves.toMatchObject({ email: address });
    expect(w.log.lines.map((line) => line.security_event)).toContain('email_send_failed');
  });

  it('verify-request answers 503 service_unavailable when the email cannot be sent, and puts the previous token back', async () => {
    const w = world();
    const address = uniqueEmail('rollback');
    const account = await w.register(address);
    const before = w.changes.tokens.get(`verify_email#${account.userId}`);
    w.clock.advance(EMAIL_INTERVAL_MS);
    w.mailer.failWith(new Error('SES is down'));
    await expect(w.verifyRequest(account.userId)).rejects.toThrow(ServiceUnavailableError);
    expect(w.changes.tokens.get(`verify_email#${account.userId}`)).toEqual(before);
    w.mailer.failWith(undefined);
    await w.verify(w.tokenIn(address));
  });

  it('verify-request for an account that no longer exists is 404 not_found', async () => {
    await expect(world().verifyRequest('00000000-0000-0000-0000-000000000000')).rejects.toThrow(NotFoundError);
  });
});

describe('forgot password and reset', () => {
  it('answers a known email the same way when the store fails while preparing the link: logged, not a 503', async () => {
    const w = world();
    const address = uniqueEmail('storefail');
    await w.register(address);
    w.changes.issueToken = async () => {
      throw new ServiceUnavailableError({ cause: new Error('ProvisionedThroughputExceededException') });
    };
    await expect(w.forgot(address)).resolves.toBeUndefined();
    expect(w.log.lines.some((line) => line.message === 'password reset email could not be prepared')).toBe(true);
  });

  it('answers the same way for an unknown email, sends nothing, and waits for the whole floor', async () => {
    const w = world();
    await expect(w.forgot(uniqueEmail('nobody'))).resolves.toBeUndefined();
    expect(w.mailer.sent).toEqual([]);
    expect(w.slept).toEqual([400]);
  });

  it('emails a reset link to a known account at most once a minute, silently', async () => {
    const w = world();
    const address = uniqueEmail('forgot');
    await w.register(address);
    w.mailer.clear();
    await w.forgot(address);
    await w.forgot(address);
    expect(w.mailer.sent.map((message) => message.subject)).toEqual([expect.stringMatching(/Reset your/)]);
    expect(w.mailer.sent[0]!.text).toContain('?action=reset-password#token=');
    w.clock.advance(EMAIL_INTERVAL_MS);
    await w.forgot(address);
    expect(w.mailer.sent).toHaveLength(2);
    expect(w.log.lines.filter((line) => line.security_event === 'password_reset_requested')).toHaveLength(2);
  });

  it('does not throw when the email cannot be sent, and logs email_send_failed without the address', async () => {
    const w = world();
    const address = uniqueEmail('forgot-down');
    await w.register(address);
    w.mailer.failWith(new Error('SES is down'));
    await expect(w.forgot(address)).resolves.toBeUndefined();
    expect(w.log.lines.filter((line) => line.security_event === 'email_send_failed' && line.kind === 'reset_password')).toHaveLength(1);
    expect(w.log.raw.join('\n')).not.toContain(address);
  });

  it('a reset sets the password, marks the email verified, clears the login throttle, ends every session and sends the notice', async () => {
    const w = world();
    const address = uniqueEmail('reset');
    const account = await w.register(address);
    const sessionIds = [await w.openSession(account.userId), await w.openSession(account.userId)];
    await expect(w.login(address, 'wrong password')).rejects.toThrow(InvalidCredentialsError);
    expect(w.users.attempts.get(address)?.count).toBe(1);
    await w.forgot(address);

    await w.reset(w.tokenIn(address));

    expect(w.liveSessions(account.userId)).toEqual([]);
    expect(sessionIds.map((id) => w.sessions.items.get(id)!.revokedReason)).toEqual(['password_reset', 'password_reset']);
    expect(w.users.attempts.has(address)).toBe(false);
    expect((await w.users.findById(account.userId))!.emailVerified).toBe(true);
    await expect(w.login(address, PASSWORD)).rejects.toThrow(InvalidCredentialsError);
    await expect(w.login(address, NEW_PASSWORD)).resolves.toMatchObject({ id: account.userId });
    const notice = w.mailer.lastTo(address)!;
    expect(notice.subject).toMatch(/password was changed/);
    expect(notice.text).not.toMatch(/https?:\/\//);
    expect(w.log.lines.map((line) => line.security_event)).toContain('password_reset');
  });

  it('a reset that is the first proof of the mailbox forgets the second factors enrolled before it; a later one does not', async () => {
    const w = world();
    const address = uniqueEmail('squatted');
    const account = await w.register(address);
    await w.forgot(address);
    await w.reset(w.tokenIn(address));
    expect(w.forgotten).toEqual([account.userId]);
    w.clock.advance(61_000);
    await w.forgot(address);
    await w.reset(w.tokenIn(address), 'yet another passphrase');
    expect(w.forgotten).toEqual([account.userId]);
  });

  it('of concurrent resets with one token exactly one succeeds; the others are invalid_one_time_token', async () => {
    const w = world();
    const address = uniqueEmail('race');
    await w.register(address);
    await w.forgot(address);
    const token = w.tokenIn(address);
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, index) => w.reset(token, `${NEW_PASSWORD} ${index}`)));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected')) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(InvalidOneTimeTokenError);
  });

  it('a superseded reset token is invalid_one_time_token, and so is a verification token used for a reset', async () => {
    const w = world();
    const address = uniqueEmail('superseded');
    await w.register(address);
    const verificationToken = w.tokenIn(address);
    await expect(w.reset(verificationToken)).rejects.toMatchObject({ code: 'invalid_one_time_token' });
    await w.forgot(address);
    const old = w.tokenIn(address);
    w.clock.advance(EMAIL_INTERVAL_MS);
    await w.forgot(address);
    await expect(w.reset(old)).rejects.toMatchObject({ code: 'invalid_one_time_token' });
    await w.reset(w.tokenIn(address));
  });

  it('an expired reset token is invalid_one_time_token', async () => {
    const w = world();
    const address = uniqueEmail('reset-expired');
    await w.register(address);
    await w.forgot(address);
    w.clock.advance(1800_000);
    await expect(w.reset(w.tokenIn(address))).rejects.toThrow(InvalidOneTimeTokenError);
  });
});

describe('password change', () => {
  it('a wrong current password is invalid_credentials and counts toward the login throttle', async () => {
    const w = world();
    const address = uniqueEmail('change-wrong');
    const account = await w.register(address);
    await expect(w.change(account.userId, 'x', 'not the password')).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(w.users.attempts.get(address)?.count).toBe(1);
    await w.change(account.userId, 'x', 'not the password').catch(() => undefined);
    await w.change(account.userId, 'x', 'not the password').catch(() => undefined);
    await expect(w.change(account.userId, 'x', PASSWORD)).rejects.toThrow(TooManyAttemptsError);
  });

  it('sets the new password, ends every other session, keeps the caller’s, and sends the notice', async () => {
    const w = world();
    const address = uniqueEmail('change');
    const account = await w.register(address);
    const [mine, other] = [await w.openSession(account.userId), await w.openSession(account.userId)];
    await w.change(account.userId, mine, PASSWORD);
    expect(w.liveSessions(account.userId)).toEqual([mine]);
    expect(w.sessions.items.get(other)!.revokedReason).toBe('password_changed');
    await expect(w.login(address, NEW_PASSWORD)).resolves.toMatchObject({ id: account.userId });
    expect(w.mailer.lastTo(address)!.subject).toMatch(/password was changed/);
    expect(w.log.lines.map((line) => line.security_event)).toContain('password_changed');
  });
});

describe('a new password ends outstanding reset links', () => {
  it('a password change ends an outstanding reset link: invalid_one_time_token, and the changed password stays', async () => {
    const w = world();
    const address = uniqueEmail('change-kills-link');
    const account = await w.register(address);
    await w.forgot(address);
    const link = w.tokenIn(address);
    const mine = await w.openSession(account.userId);
    await w.change(account.userId, mine, PASSWORD);
    await expect(w.reset(link, 'the attacker’s passphrase')).rejects.toThrow(InvalidOneTimeTokenError);
    expect(w.liveSessions(account.userId)).toEqual([mine]);
    await expect(w.login(address, NEW_PASSWORD)).resolves.toMatchObject({ id: account.userId });
  });

  it('a reset and a change each move the account to its next credentials version; a verification link survives them', async () => {
    const w = world();
    const address = uniqueEmail('versions');
    const account = await w.register(address);
    const verification = w.tokenIn(address);
    const versionOf = async () => (await w.users.findById(account.userId))!.credentialsVersion;
    expect(await versionOf()).toBe(0);
    await w.change(account.userId, await w.openSession(account.userId), PASSWORD);
    expect(await versionOf()).toBe(1);
    await w.forgot(address);
    await w.reset(w.tokenIn(address), 'a third passphrase');
    expect(await versionOf()).toBe(2);
    await w.verify(verification);
    expect((await w.users.findById(account.userId))!.emailVerified).toBe(true);
  });

  it('a change that lands after the link was checked still ends it: the redeeming write requires the link\'s version', async () => {
    const w = world();
    const address = uniqueEmail('change-race');
    const account = await w.register(address);
    await w.forgot(address);
    const link = w.tokenIn(address);
    const redeem = w.changes.redeemToken.bind(w.changes);
    // The change lands between the reset's checks and its transaction.
    w.changes.redeemToken = async (...args) => {
      await w.changes.setPasswordHash(address, account.userId, 'changed-meanwhile');
      return redeem(...args);
    };
    await expect(w.reset(link)).rejects.toThrow(InvalidOneTimeTokenError);
    expect((await w.users.findById(account.userId))!.passwordHash).toBe('changed-meanwhile');
  });
});

describe('account deletion', () => {
  it('a wrong password is invalid_credentials and deletes nothing', async () => {
    const w = world();
    const address = uniqueEmail('delete-wrong');
    const account = await w.register(address);
    await expect(w.remove(account.userId, 'not the password')).rejects.toThrow(InvalidCredentialsError);
    expect(await w.users.findById(account.userId)).toBeDefined();
  });

  it('removes the account, its sessions, one-time tokens, login failures, and runs every purger; the email can register again at once', async () => {
    const w = world();
    const address = uniqueEmail('delete');
    const account = await w.register(address);
    await w.forgot(address);
    await w.openSession(account.userId);
    await w.login(address, 'wrong password').catch(() => undefined);

    await w.remove(account.userId, PASSWORD);

    expect(await w.users.findById(account.userId)).toBeUndefined();
    expect(await w.users.findByEmail(address)).toBeUndefined();
    expect(w.liveSessions(account.userId)).toEqual([]);
    expect(w.changes.tokens.size).toBe(0);
    expect(w.users.attempts.has(address)).toBe(false);
    expect(w.purged).toEqual([account.userId]);
    expect(w.log.lines.map((line) => line.security_event)).toContain('account_deleted');
    await expect(w.remove(account.userId, PASSWORD)).rejects.toMatchObject({ code: 'not_found' });
    await expect(register({ clock: w.clock, users: w.users, passwords }, address, PASSWORD)).resolves.toMatchObject({ email: address });
  });

  it('a purger that fails leaves the account in place, so the deletion can be retried', async () => {
    const w = world();
    const address = uniqueEmail('delete-retry');
    const account = await w.register(address);
    let failing = true;
    const base = { clock: w.clock, users: w.users, passwords, limits: { maxAttempts: 5, windowSeconds: 900 }, logger: w.log.logger, changes: w.changes };
    const endSessions = (userId: string) => endAllSessions({ sessions: w.sessions, clock: w.clock }, userId, 'account_deleted');
    const purgers = [async () => { if (failing) throw new ServiceUnavailableError(); }];
    await expect(deleteAccount({ ...base, endSessions, purgers }, account.userId, PASSWORD, CLIENT)).rejects.toThrow(ServiceUnavailableError);
    expect(await w.users.findById(account.userId)).toBeDefined();
    failing = false;
    await deleteAccount({ ...base, endSessions, purgers }, account.userId, PASSWORD, CLIENT);
    expect(await w.users.findById(account.userId)).toBeUndefined();
  });
});
