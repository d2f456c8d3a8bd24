import { randomBytes, randomUUID } from 'node:crypto';
import { createKeyring } from '../../../lib/core/keyring';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { InvalidOneTimeTokenError, ServiceUnavailableError } from '../../../lib/core/errors';
import { createMemoryMailer } from '../../../lib/email/mailer';
import { createMemoryMfaStore } from '../../../lib/mfa/memory-mfa-store';
import { createMemoryPasskeyStore } from '../../../lib/passkeys';
import type { FactorChange } from '../../../lib/reauth/factor-change';
import { createMemoryFactorNoticeStore, MAX_OUTSTANDING_NOTICES } from '../../../lib/reauth/factor-notice-store';
import { createFactorNotifier, FACTOR_NOTICE_TTL_SECONDS, reportFactor, type FactorRemovers } from '../../../lib/reauth/factor-notices';
import { createMemorySessionStore } from '../../../lib/sessions/memory-session-store';
import { endAllSessions } from '../../../lib/sessions/session-service';
import { createOneTimeTokenCodec } from '../../../lib/tokens/one-time-token';
import { linkIn, tokenOfLink } from '../../support/inbox';
import { capturingLogger, frozenClock } from '../../support/fixtures';
import { sessionClaimsWith } from '../../../lib/tokens/session-claims';

const APP = 'https://app.example.com/account';

/** Factor notices on memory stores, wired as the handlers wire them. */
async function world() {
  const clock = frozenClock();
  const accounts = createMemoryUserStore();
  const mfa = createMemoryMfaStore(accounts);
  const passkeys = createMemoryPasskeyStore();
  const notices = createMemoryFactorNoticeStore();
  const sessions = createMemorySessionStore();
  const mailer = createMemoryMailer();
  const log = capturingLogger();
  const oneTimeTokens = createOneTimeTokenCodec(createKeyring(randomBytes(32)));
  const notify = createFactorNotifier({ clock, notices, oneTimeTokens, mailer, email: { appBaseUrl: APP, serviceName: 'Acme' }, logger: log.logger });
  const remove: FactorRemovers = {
    totp: (account, enrolledAt) => mfa.removeEnrolment({ userId: account.id, email: account.email, enrolledAt }),
    recoveryCodes: (account, issuedAt) => mfa.dropRecoveryCodes({ userId: account.id, email: account.email, issuedAt }),
    passkey: (account, credentialId) => passkeys.remove(account.id, credentialId),
  };
  let endSessions = (userId: string) => endAllSessions({ sessions, clock }, userId, 'factor_reported');
  const report = (token: unknown) => reportFactor({ clock, users: mfa.users, notices, oneTimeTokens, remove, endSessions: (userId) => endSessions(userId), logger: log.logger }, token);

  const id = randomUUID();
  const account = { id, email: `${id}@example.com` };
  await accounts.create({ ...account, passwordHash: 'unused', createdAt: 0, emailVerified: true, mfaEnabled: false, credentialsVersion: 0 });
  let sessionCount = 0;
  const openSession = async () => {
    const sessionId = `s${++sessionCount}`.padEnd(22, 'x');
    const now = clock.now();
    await sessions.create({ id: sessionId, userId: id, createdAt: now, lastUsedAt: now, idleExpiresAt: now + 86_400_000, absoluteExpiresAt: now + 86_400_000, generation: 0, tokenHash: sessionId, claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(now / 1000) }) });
    return sessionId;
  };
  const liveSessions = () => [...sessions.items.values()].filter((session) => session.revokedAt === undefined).map((session) => session.id);
  const addPasskey = async (credentialId: string) => {
    await passkeys.add({ credentialId, userId: id, publicKey: 'pk', counter: 0, transports: [], backedUp: false, deviceType: 'singleDevice', name: 'Key', createdAt: clock.now(), lastUsedAt: undefined, enrolledAmr: ['pwd'] }, 20, { email: account.email, credentialsVersion: 0 });
  };
  const enableTotp = async () => {
    const enrolledAt = clock.now();
    await mfa.savePending(id, 'sealed', enrolledAt + 60_000);
    await mfa.enable({ userId: id, email: account.email, sealedSecret: 'sealed', step: 1, recoveryCodeHashes: ['h1', 'h2'], enrolment: { at: enrolledAt, amr: ['pwd'] } });
    return enrolledAt;
  };
  /** Sends the notice and returns the token of its one link. */
  const noticeToken = async (change: FactorChange) => {
    mailer.clear();
    await notify(account, change);
    const message = mailer.lastTo(account.email)!;
    return tokenOfLink(linkIn({ subject: message.subject, body: { text: message.text } } as Parameters<typeof linkIn>[0]));
  };
  return { clock, mfa, passkeys, notices, mailer, log, report, account, openSession, liveSessions, addPasskey, enableTotp, noticeToken, notify, setEndSessions: (end: typeof endSessions) => {
      const previous = endSessions;
      endSessions = end;
      return previous;
    } };
}

describe('factor notices', () => {
  it('email one "this wasn\'t me" link, <APP_BASE_URL>?action=report-factor#token=…, and keep only a keyed hash of its token', async () => {
    const { noticeToken, mailer, notices, account } = await world();
    const token = await noticeToken({ kind: 'passkey_added', credentialId: 'cred-1' });
    const message = mailer.lastTo(account.email)!;
    expect(message.subject).toBe('A passkey was added on your Acme account');
    expect(message.text.match(/https?:\/\/\S+/g)).toEqual([`${APP}?action=report-factor#token=${token}`]);
    expect(message.text).toContain('expires in 7 days');
    expect(message.html).toContain(`href="${APP}?action=report-factor#token=${token}"`);
    const stored = JSON.stringify([...notices.notices.get(account.id)!.values()]);
    expect(stored).not.toContain(token.split('.')[1]!);
    expect(FACTOR_NOTICE_TTL_SECONDS).toBe(604_800);
  });

  it.each<[FactorChange, string]>([
    [{ kind: 'totp_enabled', enrolledAt: 1 }, 'Two-step verification was turned on on your Acme account'],
    [{ kind: 'totp_disabled' }, 'Two-step verification was turned off on your Acme account'],
    [{ kind: 'recovery_codes_replaced', issuedAt: 1 }, 'New recovery codes were created on your Acme account'],
    [{ kind: 'passkey_removed', credentialId: 'c' }, 'A passkey was removed on your Acme account'],
  ])('says what changed: %j', async (change, subject) => {
    const { noticeToken, mailer, account } = await world();
    await noticeToken(change);
    expect(mailer.lastTo(account.email)!.subject).toBe(subject);
  });

  it('a mail service that refuses the notice is logged as email_send_failed, never thrown (the change is made)', async () => {
    const { mailer, log, account, notify } = await world();
    mailer.failWith(new Error('SES is down'));
    await expect(notify(account, { kind: 'totp_disabled' })).resolves.toBeUndefined();
    expect(log.lines).toContainEqual(expect.objectContaining({ security_event: 'email_send_failed', userId: account.id, kind: 'report_factor' }));
  });
});

describe('reporting a factor change ("this wasn\'t me")', () => {
  it('a passkey_added report removes that passkey and ends every session; the link works once (400 invalid_one_time_token after)', async () => {
    const { noticeToken, report, passkeys, addPasskey, openSession, liveSessions, log, account } = await world();
    await addPasskey('cred-1');
    await addPasskey('cred-2');
    await Promise.all([openSession(), openSession()]);
    const token = await noticeToken({ kind: 'passkey_added', credentialId: 'cred-1' });
    await report(token);
    expect([...passkeys.items.keys()]).toEqual(['cred-2']);
    expect(liveSessions()).toEqual([]);
    expect(log.lines).toContainEqual(expect.objectContaining({ security_event: 'factor_reported', userId: account.id, change: 'passkey_added', factorRemoved: true }));
    await expect(report(token)).rejects.toThrow(InvalidOneTimeTokenError);
  });

  it('a totp_enabled report turns TOTP off only while it is still that enrolment; the sessions end either way', async () => {
    const { noticeToken, report, mfa, enableTotp, openSession, liveSessions, clock, account } = await world();
    const enrolledAt = await enableTotp();
    const first = await noticeToken({ kind: 'totp_enabled', enrolledAt });
    const stale = await noticeToken({ kind: 'totp_enabled', enrolledAt: enrolledAt - 1 });
    await openSession();
    await report(stale);
    expect((await mfa.totpState(account.email, account.id))?.enabled).toBe(true);
    expect(liveSessions()).toEqual([]);
    clock.advance(1000);
    await report(first);
    expect((await mfa.totpState(account.email, account.id))?.enabled).toBe(false);
  });

  it('a recovery_codes_replaced report drops those codes', async () => {
    const { noticeToken, report, mfa, enableTotp, account } = await world();
    const enrolledAt = await enableTotp();
    await report(await noticeToken({ kind: 'recovery_codes_replaced', issuedAt: enrolledAt }));
    expect(await mfa.totpState(account.email, account.id)).toMatchObject({ enabled: true, recoveryCodeHashes: [] });
  });

  it('a removal cannot be undone: its report ends every session', async () => {
    const { noticeToken, report, openSession, liveSessions } = await world();
    await openSession();
    await report(await noticeToken({ kind: 'totp_disabled' }));
    expect(liveSessions()).toEqual([]);
  });

  it('keeps several notices outstanding: each link works', async () => {
    const { noticeToken, report, addPasskey, passkeys } = await world();
    await addPasskey('a');
    await addPasskey('b');
    const tokens = [await noticeToken({ kind: 'passkey_added', credentialId: 'a' }), await noticeToken({ kind: 'passkey_added', credentialId: 'b' })];
    for (const token of tokens.reverse()) await report(token);
    expect(passkeys.items.size).toBe(0);
  });

  it(`keeps at most ${MAX_OUTSTANDING_NOTICES} notices: the oldest link stops working first`, async () => {
    const { noticeToken, report, clock } = await world();
    const tokens: string[] = [];
    for (let index = 0; index <= MAX_OUTSTANDING_NOTICES; index++) {
      tokens.push(await noticeToken({ kind: 'totp_disabled' }));
      clock.advance(1);
    }
    await expect(report(tokens[0])).rejects.toThrow(InvalidOneTimeTokenError);
    await expect(report(tokens[1])).resolves.toBeUndefined();
  });

  it('a link works for 7 days: at exactly 7 days it is invalid_one_time_token', async () => {
    const { noticeToken, report, clock } = await world();
    const token = await noticeToken({ kind: 'totp_disabled' });
    const other = await noticeToken({ kind: 'totp_disabled' });
    clock.advance(FACTOR_NOTICE_TTL_SECONDS * 1000 - 1);
    await expect(report(other)).resolves.toBeUndefined();
    clock.advance(1);
    await expect(report(token)).rejects.toMatchObject({ code: 'invalid_one_time_token', status: 400 });
  });

  it.each([['a malformed token', 'not-a-token'], ['a number', 42], ['an unknown token of the right shape', `${randomUUID()}.${randomBytes(32).toString('base64url')}`]])('refuses %s with invalid_one_time_token', async (_case, token) => {
    const { report } = await world();
    await expect(report(token)).rejects.toThrow(InvalidOneTimeTokenError);
  });

  it('a failure while ending the sessions (503) leaves the link working for a retry', async () => {
    const { noticeToken, report, setEndSessions, openSession, liveSessions, clock } = await world();
    await openSession();
    const token = await noticeToken({ kind: 'totp_disabled' });
    const working = setEndSessions(async () => {
      throw new ServiceUnavailableError();
    });
    await expect(report(token)).rejects.toThrow(ServiceUnavailableError);
    expect(liveSessions()).toHaveLength(1);
    setEndSessions(working);
    clock.advance(1);
    await report(token);
    expect(liveSessions()).toEqual([]);
  });

  it('of concurrent reports with one link, exactly one succeeds', async () => {
    const { noticeToken, report } = await world();
    const token = await noticeToken({ kind: 'totp_disabled' });
    const results = await Promise.allSettled([report(token), report(token), report(token)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });
});
