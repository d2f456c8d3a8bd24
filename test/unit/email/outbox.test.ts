import { randomBytes } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { registerWithVerification, requestVerificationEmail, verifyEmail } from '../../../lib/accounts/email-verification';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { FIRST_CREDENTIALS_VERSION } from '../../../lib/accounts/user-store';
import { createPasswordHasher } from '../../../lib/accounts/password';
import { requestPasswordReset } from '../../../lib/accounts/password-recovery';
import { EMAIL_INTERVAL_MS, passwordChangedResender, sendPasswordChangedNotice, tokenEmailResender } from '../../../lib/accounts/token-emails';
import { systemClock, type Clock } from '../../../lib/core/clock';
import { withDeadline } from '../../../lib/core/deadline';
import { ServiceUnavailableError } from '../../../lib/core/errors';
import { createMemoryMailer } from '../../../lib/email/mailer';
import { createMemoryEmailOutbox } from '../../../lib/email/memory-email-outbox';
import { MAX_AGE_MS, MAX_ATTEMPTS, retryDelayMs, retryDueEmails, type EmailOutbox } from '../../../lib/email/outbox';
import { createOneTimeTokenCodec } from '../../../lib/tokens/one-time-token';
import { capturingLogger, frozenClock, PASSWORD, uniqueEmail } from '../../support/fixtures';

const CLIENT = { ip: '192.0.2.1', userAgent: 'jest' };
const passwords = createPasswordHasher({ memoryKiB: 64, iterations: 1, parallelism: 1 });

/** The account emails on memory stores with an outbox, wired as the handlers and the retry function wire them. */
function world({ realClock = false, floorMs = 400 }: { realClock?: boolean; floorMs?: number } = {}) {
  const frozen = frozenClock();
  const clock: Clock = realClock ? systemClock : frozen;
  const users = createMemoryUserStore();
  const changes = createMemoryAccountChangeStore(users.accounts);
  const mailer = createMemoryMailer();
  const outbox = createMemoryEmailOutbox();
  const log = capturingLogger();
  const oneTimeTokens = createOneTimeTokenCodec(createKeyring(randomBytes(32)));
  const email = { appBaseUrl: 'https://app.example.com/account', serviceName: 'Acme', verificationTtlSeconds: 86_400, passwordResetTtlSeconds: 1800 };
  const tokenDeps = { clock, changes, oneTimeTokens, mailer, email, outbox };
  const base = { ...tokenDeps, users, logger: log.logger, passwords };
  // The frozen clock's floor moves the clock; the real one waits.
  const floor = { floorMs, sleep: realClock ? (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) : async (ms: number) => frozen.advance(ms) };
  const retryDeps = { clock, changes, oneTimeTokens, mailer, email, users };
  return {
    clock: frozen,
    users,
    changes,
    mailer,
    outbox,
    log,
    register: (address: string) => registerWithVerification({ ...base, emailParts: async () => tokenDeps }, address, PASSWORD),
    verifyRequest: (userId: string) => requestVerificationEmail(base, userId),
    verify: (token: string) => verifyEmail(base, token),
    forgot: (address: string) => requestPasswordReset({ ...base, floor }, address, CLIENT),
    notice: (account: { id: string; email: string }) => sendPasswordChangedNotice(base, account),
    retry: (target: EmailOutbox = outbox) =>
      retryDueEmails({
        clock,
        outbox: target,
        logger: log.logger,
        resenders: {
          verify_email: tokenEmailResender(retryDeps, 'verify_email'),
          reset_password: tokenEmailResender(retryDeps, 'reset_password'),
          password_changed: passwordChangedResender(retryDeps),
        },
      }),
    tokenIn: (to: string) => new URLSearchParams(new URL(mailer.lastTo(to)!.text.match(/https:\/\/\S+/)![0]).hash.slice(1)).get('token')!,
    events: () => log.lines.map((line) => line.security_event).filter(Boolean),
  };
}

const down = new Error('connect ECONNREFUSED');

describe('the email outbox: an email that could not be sent is kept, as an intent, and sent again later', () => {
  it('register with the mail service down still creates the account and keeps the verification email: kind and user id, never a link or an address', async () => {
    const w = world();
    const address = uniqueEmail('kept');
    w.mailer.failWith(down);

    const account = await w.register(address);

    const entry = w.outbox.entries.get(`verify_email#${account.userId}`);
    expect(entry).toEqual({ kind: 'verify_email', userId: account.userId, at: w.clock.now(), attempts: 1, firstFailedAt: w.clock.now(), dueAt: w.clock.now() });
    expect(JSON.stringify([...w.outbox.entries.values()])).not.toMatch(new RegExp(`${address}|token|https?:`));
    // Nothing half-written: no live token nobody received, no throttle for an email that never left.
    expect(await w.changes.findToken('verify_email', account.userId)).toBeUndefined();
    expect(w.events()).toContain('email_send_failed');
  });

  it('the next run, once the mail service answers, sends a fresh link that works, and removes the entry', async () => {
    const w = world();
    const address = uniqueEmail('resent');
    w.mailer.failWith(down);
    const account = await w.register(address);
    w.mailer.failWith(undefined);

    expect(await w.retry()).toEqual({ sent: 1, obsolete: 0, postponed: 0, abandoned: 0 });

    expect(w.mailer.lastTo(address)!.subject).toMatch(/Confirm your email/);
    await w.verify(w.tokenIn(address));
    expect((await w.users.findById(account.userId))!.emailVerified).toBe(true);
    expect(w.outbox.entries.size).toBe(0);
  });

  it('a retry that fails again is postponed by a growing delay; after MAX_ATTEMPTS it is given up: email_abandoned (the EmailAbandoned metric)', async () => {
    const w = world();
    const address = uniqueEmail('abandoned');
    w.mailer.failWith(down);
    const account = await w.register(address);
    const key = `verify_email#${account.userId}`;

    for (let attempts = 2; attempts < MAX_ATTEMPTS; attempts++) {
      expect(await w.retry()).toMatchObject({ postponed: 1, abandoned: 0 });
      const entry = w.outbox.entries.get(key)!;
      expect({ attempts: entry.attempts, delay: entry.dueAt - w.clock.now() }).toEqual({ attempts, delay: retryDelayMs(attempts) });
      expect(await w.retry()).toEqual({ sent: 0, obsolete: 0, postponed: 0, abandoned: 0 });
      w.clock.set(entry.dueAt);
    }
    expect(w.events()).not.toContain('email_abandoned');
    expect(await w.retry()).toMatchObject({ abandoned: 1 });
    expect(w.outbox.entries.size).toBe(0);
    expect(w.events()).toContain('email_abandoned');
    expect(w.log.lines.find((line) => line.security_event === 'email_abandoned')).toMatchObject({ userId: account.userId, kind: 'verify_email' });
    expect(w.mailer.sent).toEqual([]);
  });

  it("an entry older than its kind's max age is given up, not sent: a reset link hours late helps nobody", async () => {
    const w = world();
    const address = uniqueEmail('late');
    await w.users.create({ id: 'user-late', email: address, passwordHash: await passwords.hash(PASSWORD), createdAt: w.clock.now(), emailVerified: false, mfaEnabled: false, credentialsVersion: FIRST_CREDENTIALS_VERSION });
    w.mailer.failWith(down);
    await w.forgot(address);
    w.mailer.failWith(undefined);
    w.clock.advance(MAX_AGE_MS.reset_password + 1);

    expect(await w.retry()).toMatchObject({ sent: 0, abandoned: 1 });
    expect(w.mailer.sent).toEqual([]);
  });

  it('an entry is obsolete, and dropped without an email, once the address was verified, a newer email went out, or the account is gone', async () => {
    const w = world();
    const [verified, newer, gone] = [uniqueEmail('verified'), uniqueEmail('newer'), uniqueEmail('gone')];
    w.mailer.failWith(down);
    const accounts = await Promise.all([verified, newer, gone].map((address) => w.register(address)));
    w.mailer.failWith(undefined);
    w.clock.advance(1_000);
    // The person asked again and got a link; the same person then verified another way.
    await w.verifyRequest(accounts[1]!.userId);
    w.users.accounts.set(verified, { ...w.users.accounts.get(verified)!, emailVerified: true });
    w.users.accounts.delete(gone);
    const before = w.mailer.sent.length;

    expect(await w.retry()).toEqual({ sent: 0, obsolete: 3, postponed: 0, abandoned: 0 });
    expect(w.mailer.sent.length).toBe(before);
    expect(w.outbox.entries.size).toBe(0);
  });

  it('a run goes on batch after batch while entries are due, and stops taking entries at its stopAt', async () => {
    const w = world();
    for (let index = 0; index < 60; index++) await w.outbox.keep({ kind: 'password_changed', userId: `gone-${index}`, at: 1 }, w.clock.now());

    expect(await retryDueEmails({ clock: w.clock, outbox: w.outbox, logger: w.log.logger, resenders: { verify_email: async () => 'sent', reset_password: async () => 'sent', password_changed: async () => 'obsolete' } }, { stopAt: w.clock.now() })).toMatchObject({ obsolete: 0 });
    expect(await w.retry()).toMatchObject({ obsolete: 60 });
    expect(w.outbox.entries.size).toBe(0);
  });

  it('two overlapping runs send an entry once: each run claims it with one conditional write first', async () => {
    const w = world();
    const address = uniqueEmail('overlap');
    w.mailer.failWith(down);
    await w.register(address);
    w.mailer.failWith(undefined);

    const runs = await Promise.all([w.retry(), w.retry()]);

    expect(runs.map((run) => run.sent).sort()).toEqual([0, 1]);
    expect(w.mailer.sent.filter((message) => message.to === address)).toHaveLength(1);
  });

  it('a newer failure of the same email replaces the entry, and a run that claimed the older one leaves the newer in place', async () => {
    const w = world();
    await w.outbox.keep({ kind: 'password_changed', userId: 'user-1', at: 1 }, w.clock.now());
    const [older] = await w.outbox.due(w.clock.now(), 10);
    const claimed = await w.outbox.claim(older!, w.clock.now() + 60_000);
    w.clock.advance(1_000);
    await w.outbox.keep({ kind: 'password_changed', userId: 'user-1', at: 2 }, w.clock.now());

    await w.outbox.remove(claimed!);

    expect([...w.outbox.entries.values()]).toEqual([expect.objectContaining({ at: 2, attempts: 1 })]);
    expect(await w.outbox.claim(older!, w.clock.now())).toBeUndefined();
  });

  it('a "password changed" notice that could not be sent is kept and sent later, with the time of the change, to the address of the account then', async () => {
    const w = world();
    const address = uniqueEmail('notice');
    const account = { id: 'user-notice', email: address };
    await w.users.create({ ...account, passwordHash: await passwords.hash(PASSWORD), createdAt: w.clock.now(), emailVerified: true, mfaEnabled: false, credentialsVersion: FIRST_CREDENTIALS_VERSION });
    const changedAt = w.clock.now();
    w.mailer.failWith(down);
    await w.notice(account);
    w.mailer.failWith(undefined);
    w.clock.advance(120_000);

    expect(await w.retry()).toMatchObject({ sent: 1 });
    const notice = w.mailer.lastTo(address)!;
    expect(notice.subject).toMatch(/password was changed/);
    expect(notice.text).toContain(new Date(changedAt).toISOString().slice(0, 10));
  });

  it('a send that got no answer keeps its link valid (the email may arrive) and is sent again, fresh, after the throttle minute', async () => {
    const w = world();
    const address = uniqueEmail('unanswered');
    w.mailer.stall(true);
    // As in a function: the invocation's deadline gives the stalled send up.
    const account = await withDeadline(Date.now() + 100, () => w.register(address));
    w.mailer.stall(false);
    const entry = w.outbox.entries.get(`verify_email#${account.userId}`)!;
    expect(entry.dueAt - w.clock.now()).toBe(EMAIL_INTERVAL_MS);
    expect(await w.changes.findToken('verify_email', account.userId)).toMatchObject({ tokenHash: expect.any(String) });

    expect(await w.retry()).toEqual({ sent: 0, obsolete: 0, postponed: 0, abandoned: 0 });
    w.clock.advance(EMAIL_INTERVAL_MS);
    expect(await w.retry()).toMatchObject({ sent: 1 });
    await w.verify(w.tokenIn(address));
  });

  it("a send that got no answer is not sent again once its link was used: it did arrive", async () => {
    const w = world();
    const address = uniqueEmail('arrived');
    await w.users.create({ id: 'user-arrived', email: address, passwordHash: await passwords.hash(PASSWORD), createdAt: w.clock.now(), emailVerified: false, mfaEnabled: false, credentialsVersion: FIRST_CREDENTIALS_VERSION });
    w.mailer.stall(true);
    await w.forgot(address);
    w.mailer.stall(false);
    const stored = await w.changes.findToken('reset_password', 'user-arrived');
    // The person used the link of the email that arrived after all (the token as the send issued it).
    await w.changes.redeemToken('reset_password', 'user-arrived', [stored!.tokenHash!], w.clock.now(), { email: address, passwordHash: 'new' });
    w.clock.advance(EMAIL_INTERVAL_MS);

    expect(await w.retry()).toEqual({ sent: 0, obsolete: 1, postponed: 0, abandoned: 0 });
    expect(w.mailer.sent).toEqual([]);
  });

  it('verify-request answers 503 when the mail service is down and keeps nothing: the person is there to try again', async () => {
    const w = world();
    const address = uniqueEmail('503');
    const account = await w.register(address);
    w.clock.advance(EMAIL_INTERVAL_MS);
    w.mailer.failWith(down);

    await expect(w.verifyRequest(account.userId)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(w.outbox.entries.size).toBe(0);
  });

  it('an email that cannot even be kept (the store is down too) is counted as given up', async () => {
    const w = world();
    const failingOutbox: EmailOutbox = { ...w.outbox, keep: async () => Promise.reject(new ServiceUnavailableError()) };
    w.mailer.failWith(down);
    const address = uniqueEmail('lost');
    await registerWithVerification(
      { clock: w.clock, users: w.users, passwords, logger: w.log.logger, emailParts: async () => ({ changes: w.changes, oneTimeTokens: createOneTimeTokenCodec(createKeyring(randomBytes(32))), mailer: w.mailer, email: { appBaseUrl: 'https://app.example.com/account', serviceName: 'Acme', verificationTtlSeconds: 60, passwordResetTtlSeconds: 60 }, outbox: failingOutbox }) },
      address,
      PASSWORD,
    );
    expect(w.events()).toEqual(expect.arrayContaining(['email_send_failed', 'email_abandoned']));
  });
});

describe('forgot-password with a mail service that does not answer', () => {
  it('gives up the send within the response floor, keeps the email, and answers no earlier than the floor, like an unknown email', async () => {
    const floorMs = 500;
    const w = world({ realClock: true, floorMs });
    const address = uniqueEmail('stalled');
    await w.users.create({ id: 'user-stalled', email: address, passwordHash: await passwords.hash(PASSWORD), createdAt: Date.now(), emailVerified: true, mfaEnabled: false, credentialsVersion: FIRST_CREDENTIALS_VERSION });
    const abandonedAt: number[] = [];
    const send = w.mailer.send.bind(w.mailer);
    w.mailer.send = (message) => send(message).catch((error: unknown) => {
      abandonedAt.push(Date.now());
      throw error;
    });
    w.mailer.stall(true);

    const known = Date.now();
    await w.forgot(address);
    const knownMs = Date.now() - known;
    const unknown = Date.now();
    await w.forgot(uniqueEmail('nobody'));
    const unknownMs = Date.now() - unknown;

    expect(abandonedAt).toHaveLength(1);
    expect(abandonedAt[0]! - known).toBeLessThan(floorMs);
    expect(knownMs).toBeGreaterThanOrEqual(floorMs);
    expect(unknownMs).toBeGreaterThanOrEqual(floorMs);
    // The send may have reached the mail service: its link stays valid, and the retry waits for the throttle's minute.
    const entry = w.outbox.entries.get('reset_password#user-stalled')!;
    expect(entry).toMatchObject({ kind: 'reset_password', attempts: 1 });
    expect(entry.dueAt - entry.firstFailedAt).toBeGreaterThanOrEqual(EMAIL_INTERVAL_MS - 1_000);
    expect(await w.changes.findToken('reset_password', 'user-stalled')).toMatchObject({ tokenHash: expect.any(String) });
  });
});
