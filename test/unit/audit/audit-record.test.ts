import { AUDITED_EVENTS, isAuditedEvent, survivesAccountDeletion, toAuditEventView } from '../../../lib/audit/audit-event';
import { auditDetailsOf, toAuditEvent } from '../../../lib/audit/audit-record';
import type { SecurityEvent } from '../../../lib/core/logger';

const MADE = { id: 'evt-1', time: Date.UTC(2026, 11, 5, 12, 0, 0) };
const ORIGIN = { ip: '203.0.113.9', userAgent: 'Origin/1.0', sessionId: 'session-of-the-caller' };

describe('toAuditEvent: a security log line becomes an audit event', () => {
  it('keeps the user, session, address, user agent and the closed details of the line', () => {
    // Prepare
    const fields = { userId: 'user-1', sessionId: 'sess-1', method: 'passkey', amr: 'hwk user mfa', ip: '198.51.100.7', userAgent: 'Browser/2.0' };

    // Act
    const event = toAuditEvent('login_succeeded', fields, ORIGIN, MADE);

    // Assess
    expect(event).toEqual({
      id: 'evt-1',
      time: MADE.time,
      type: 'login_succeeded',
      userId: 'user-1',
      sessionId: 'sess-1',
      ip: '198.51.100.7',
      userAgent: 'Browser/2.0',
      details: { method: 'passkey', amr: 'hwk user mfa' },
    });
  });

  it('takes the address, user agent and session of the request when the line does not say them', () => {
    const event = toAuditEvent('email_verified', { userId: 'user-1' }, ORIGIN, MADE);
    expect(event).toMatchObject({ ip: '203.0.113.9', userAgent: 'Origin/1.0', sessionId: 'session-of-the-caller' });
  });

  it('stores no event for a line that names no account (a failed login for an unknown email)', () => {
    expect(toAuditEvent('login_failed', { userId: undefined, knownAccount: false, ip: '203.0.113.9' }, ORIGIN, MADE)).toBeUndefined();
    expect(toAuditEvent('login_failed', { userId: { $ne: null } }, ORIGIN, MADE)).toBeUndefined();
  });

  it('keeps the acting admin apart from the account the event is about, without the admin\'s session', () => {
    const event = toAuditEvent('account_disabled', { userId: 'user-1', actorId: 'admin-7', ip: '198.51.100.7' }, ORIGIN, MADE);
    expect(event).toMatchObject({ userId: 'user-1', actorId: 'admin-7', ip: '198.51.100.7' });
    expect(event?.sessionId).toBeUndefined();
  });

  it('keeps a change of roles as the role names before and after, and nothing that is not a role list', () => {
    expect(toAuditEvent('roles_changed', { userId: 'user-1', actorId: 'admin-7', before: '', after: 'admin support' }, {}, MADE)?.details).toEqual({ roles_before: '', roles_after: 'admin support' });
    expect(toAuditEvent('roles_changed', { userId: 'user-1', before: 'Admin!', after: ['admin'] }, {}, MADE)?.details).toEqual({});
  });

  it('never stores a token, password, code, secret, hash, email or any field outside the closed list', () => {
    // Prepare: everything a careless call site could pass.
    const fields = {
      userId: 'user-1',
      email: 'victim@example.com',
      password: 'correct horse battery staple',
      refreshToken: 'abc.def.ghi',
      accessToken: 'eyJhbGciOi...',
      code: '123456',
      recoveryCode: 'ABCD-EFGH',
      secret: 'JBSWY3DPEHPK3PXP',
      tokenHash: 'deadbeef',
      reason: 'rotated-away refresh token presented',
      generation: 4,
      storedCounter: 17,
      knownAccount: true,
    };

    // Act
    const event = toAuditEvent('refresh_token_reuse', fields, {}, MADE)!;

    // Assess
    const stored = JSON.stringify(event);
    for (const value of ['victim@example.com', 'correct horse', 'abc.def.ghi', 'eyJhbGciOi', '123456', 'ABCD-EFGH', 'JBSWY3DPEHPK3PXP', 'deadbeef', 'rotated-away']) {
      expect({ value, stored: stored.includes(value) }).toEqual({ value, stored: false });
    }
    expect(Object.keys(event).sort()).toEqual(['details', 'id', 'time', 'type', 'userId']);
    expect(event.details).toEqual({});
  });

  it('drops a detail whose value does not have its one shape, and keeps the others', () => {
    const details = auditDetailsOf({
      method: 'carrier-pigeon',
      stage: 'login',
      amr: 'pwd; DROP TABLE',
      credentialId: 'AbC_-123',
      deviceType: 'multiDevice',
      sessionsEnded: -1,
      remaining: 9,
      change: 'totp_enabled',
      factorRemoved: 'yes',
    });
    expect(details).toEqual({ stage: 'login', credential_id: 'AbC_-123', device_type: 'multiDevice', recovery_codes_remaining: 9, change: 'totp_enabled' });
  });

  it('cuts a long user agent and replaces what is not printable ASCII, and refuses an address that is not one', () => {
    const event = toAuditEvent('logout', { userId: 'user-1', userAgent: `Evil\u0000\u202e${'x'.repeat(400)}`, ip: '<script>' }, {}, MADE)!;
    expect(event.userAgent).toHaveLength(256);
    expect(event.userAgent!.startsWith('Evil??')).toBe(true);
    expect(event.ip).toBeUndefined();
  });
});

describe('the audited events and their view', () => {
  it('audits the security events the contract lists, and leaves the operational ones to the log', () => {
    const contract: SecurityEvent[] = [
      'login_succeeded', 'login_failed', 'refresh_token_reuse', 'logout', 'logout_all', 'password_changed', 'password_reset',
      'email_verified', 'mfa_enabled', 'mfa_disabled', 'recovery_code_used', 'passkey_added', 'passkey_removed', 'account_deleted',
    ];
    expect(AUDITED_EVENTS).toEqual(expect.arrayContaining(contract));
    for (const operational of ['email_send_failed', 'email_abandoned', 'password_rehashed', 'csrf_rejected'] as const) expect(isAuditedEvent(operational)).toBe(false);
  });

  it('shows an event in snake_case with an ISO time and null for what it does not have', () => {
    expect(toAuditEventView({ id: 'e', time: MADE.time, type: 'logout', userId: 'u', details: {} })).toEqual({
      id: 'e',
      type: 'logout',
      time: '2026-12-05T12:00:00.000Z',
      user_id: 'u',
      actor_id: null,
      session_id: null,
      ip: null,
      user_agent: null,
      details: {},
    });
  });

  it('keeps the record of a deletion and admin actions when the account goes, and nothing else', () => {
    expect(survivesAccountDeletion({ type: 'account_deleted', actorId: undefined })).toBe(true);
    expect(survivesAccountDeletion({ type: 'logout_all', actorId: 'admin-7' })).toBe(true);
    expect(survivesAccountDeletion({ type: 'login_succeeded', actorId: undefined })).toBe(false);
  });
});
