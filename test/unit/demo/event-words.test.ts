import { eventLabel, eventOrigin, rolesLine } from '../../../demo/event-words';

// The signed-in view names each security event, and where it came from, in a few words.

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const event = (type: string, extra: { actorId?: string | null; details?: Record<string, unknown> } = {}) => ({
  type,
  userId: 'user-1',
  actorId: extra.actorId ?? null,
  details: extra.details ?? {},
});

describe('eventLabel', () => {
  it('says what happened, and how a sign-in was made', () => {
    expect(eventLabel(event('login_succeeded', { details: { method: 'passkey', amr: 'hwk user' } }))).toBe('Signed in with a passkey');
    expect(eventLabel(event('login_succeeded', { details: { method: 'password' } }))).toBe('Signed in with a password');
    expect(eventLabel(event('login_failed', { details: { method: 'password' } }))).toBe('Failed sign-in');
    expect(eventLabel(event('mfa_enabled'))).toBe('Two-factor authentication turned on');
  });

  it('names an administrator who acted on the account, and the roles before and after', () => {
    expect(eventLabel(event('account_disabled', { actorId: 'admin-1' }))).toBe('Account disabled by an administrator');
    expect(eventLabel(event('sessions_ended_by_admin', { actorId: 'admin-1', details: { sessionsEnded: 2 } }))).toBe('Signed out everywhere by an administrator');
    expect(eventLabel(event('roles_changed', { details: { rolesBefore: '', rolesAfter: 'admin' } }))).toBe('Roles changed: none → admin');
    expect(eventLabel(event('recovery_code_used', { details: { recoveryCodesRemaining: 7 } }))).toBe('Recovery code used (7 left)');
  });

  it('shows a type it does not know as the service names it', () => {
    expect(eventLabel(event('something_new'))).toBe('something new');
  });
});

describe('eventOrigin', () => {
  it('gives the short device name and the IP, as far as they are known', () => {
    const own = { actorId: null };
    expect(eventOrigin({ ...own, userAgent: CHROME, ip: '203.0.113.9' })).toBe('Chrome on Linux, 203.0.113.9');
    expect(eventOrigin({ ...own, userAgent: null, ip: '203.0.113.9' })).toBe('203.0.113.9');
    expect(eventOrigin({ ...own, userAgent: 'npm run admin', ip: null })).toBe('the admin command');
    expect(eventOrigin({ ...own, userAgent: null, ip: null })).toBe('unknown device');
  });

  it('says nothing of where an administrator acted from (the service keeps it to the admin listing)', () => {
    expect(eventOrigin({ actorId: 'admin-1', userAgent: null, ip: null })).toBe('');
  });
});

describe('rolesLine', () => {
  it('lists the roles, or says none', () => {
    expect(rolesLine([])).toBe('Roles: none');
    expect(rolesLine(['admin'])).toBe('Roles: admin');
    expect(rolesLine(['admin', 'support'])).toBe('Roles: admin, support');
  });
});
