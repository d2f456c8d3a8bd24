/**
 * How the demo page names a security event (`GET /me/security-events`): what happened, and from
 * where. Only the event's type, its closed list of details, its user agent and IP: an event never
 * holds a token, password or code. Pure functions, unit-tested without a browser.
 */
import type { SecurityEvent, SecurityEventDetails } from '../client';
import { deviceName } from './user-agent';

const ADMIN_COMMAND = 'npm run admin';

const METHODS: Record<NonNullable<SecurityEventDetails['method']>, string> = {
  password: 'a password',
  totp: 'a code from an authenticator app',
  recovery_code: 'a recovery code',
  passkey: 'a passkey',
};

const TYPES: Record<string, string> = {
  login_succeeded: 'Signed in',
  login_failed: 'Failed sign-in',
  login_throttled: 'Sign-ins paused after too many attempts',
  mfa_failed: 'Wrong second-factor code',
  refresh_token_reuse: 'An old session token was reused: the session was ended',
  logout: 'Logged out',
  logout_all: 'Logged out everywhere',
  password_changed: 'Password changed',
  password_reset_requested: 'Password reset requested',
  password_reset: 'Password reset',
  email_verified: 'Email verified',
  mfa_enabled: 'Two-factor authentication turned on',
  mfa_disabled: 'Two-factor authentication turned off',
  recovery_code_used: 'Recovery code used',
  recovery_codes_replaced: 'New recovery codes',
  passkey_added: 'Passkey added',
  passkey_removed: 'Passkey removed',
  passkey_counter_regressed: 'A passkey answered with an old counter (a cloned passkey?)',
  reauthenticated: 'Confirmed it was you',
  factor_reported: 'A sign-in method was reported as not yours and removed',
  account_deleted: 'Account deleted',
  account_disabled: 'Account disabled',
  account_enabled: 'Account enabled',
  sessions_ended_by_admin: 'Signed out everywhere',
  roles_changed: 'Roles changed',
};

/**
 * "Signed in with a passkey", "Account disabled by an administrator", "Roles changed: none → admin".
 * An unknown type comes through as the service names it.
 */
export function eventLabel(event: Pick<SecurityEvent, 'type' | 'actorId' | 'userId' | 'details'>): string {
  const what = TYPES[event.type] ?? event.type.replace(/_/g, ' ');
  const { method, rolesBefore, rolesAfter, recoveryCodesRemaining } = event.details;
  const parts = [what];
  if (method && (event.type === 'login_succeeded' || event.type === 'reauthenticated') && METHODS[method]) parts.push(` with ${METHODS[method]}`);
  if (event.actorId !== null && event.actorId !== event.userId) parts.push(' by an administrator');
  if (event.type === 'roles_changed' && (rolesBefore !== undefined || rolesAfter !== undefined)) parts.push(`: ${rolesBefore || 'none'} → ${rolesAfter || 'none'}`);
  if (event.type === 'recovery_code_used' && recoveryCodesRemaining !== undefined) parts.push(` (${recoveryCodesRemaining} left)`);
  return parts.join('');
}

/**
 * "Chrome on Linux, 203.0.113.9": the device's short name and the IP, as far as the event knows
 * them; '' for an administrator's action, whose device and address the service keeps to the admin's listing.
 */
export function eventOrigin(event: Pick<SecurityEvent, 'userAgent' | 'ip' | 'actorId'>): string {
  if (event.userAgent === null && event.ip === null) return event.actorId === null ? 'unknown device' : '';
  // The operator's command (scripts/admin.ts) records itself by this name, and no IP.
  const device = event.userAgent === null ? undefined : event.userAgent === ADMIN_COMMAND ? 'the admin command' : deviceName(event.userAgent);
  return [device, event.ip ?? undefined].filter((part) => part !== undefined).join(', ');
}

/** "Roles: admin", "Roles: none". */
export const rolesLine = (roles: readonly string[]) => `Roles: ${roles.length ? roles.join(', ') : 'none'}`;
