/**
 * What the demo page says to a person about a failure: one sentence, in the words of the form it
 * answers. The contract's code stays available to the page (and its tests) next to the sentence.
 * Pure functions of their inputs, so they are unit-tested without a browser.
 */
import { AuthError } from '../client';

/**
 * Where the failure happened, because the same code means different things:
 * `invalid_credentials` at login is "wrong email or password", in an account form "wrong password".
 */
export type FormContext = 'login' | 'second-factor' | 'account' | 'add-factor' | 'passkey' | 'link' | 'admin' | 'general';

/** Thrown (and shown) when the person closes a confirmation that an action waited for. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'Cancelled: nothing was changed.') {
    super(message);
  }
}

const UNITS: readonly [seconds: number, singular: string][] = [
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** "15 minutes", "1 hour", "45 seconds": rounded up to the largest unit that fits. */
export function waitTime(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  const [size, unit] = UNITS.find(([size]) => whole >= size) ?? [1, 'second'];
  const count = Math.ceil(whole / size);
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** The sentence for an error in a form of `context`. */
export function sentenceFor(error: unknown, context: FormContext = 'general'): string {
  if (error instanceof CancelledError) return error.message;
  if (!(error instanceof AuthError)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case 'invalid_credentials':
      return context === 'login' ? 'The email or password is not right.' : 'That password is not right.';
    case 'too_many_attempts':
      return error.retryAfterSeconds === undefined
        ? 'Too many attempts. Wait a while before you try again.'
        : `Too many attempts. Try again in ${waitTime(error.retryAfterSeconds)}.`;
    case 'invalid_mfa_code':
      return 'That code is not right, or it was already used. Try the next code from your app, or a recovery code.';
    case 'invalid_mfa_token':
      return 'This sign-in took too long or had too many wrong codes. Log in again.';
    case 'email_not_verified':
      return context === 'login'
        ? 'Verify your email before you log in: open the link in the email we sent you.'
        : 'Verify your email first: open the link in the email we sent you (or send a new one above), then try again.';
    case 'mfa_already_enabled':
      return 'Two-factor authentication is already on.';
    case 'email_taken':
      return 'An account with this email already exists. Log in, or use "Forgot password?".';
    case 'invalid_one_time_token':
      return 'This link was already used, has expired, or a newer one replaced it.';
    case 'invalid_passkey':
      return 'The passkey was not accepted. Try again, or use another passkey.';
    case 'reauthentication_required':
      return 'This change needs you to confirm who you are.';
    case 'not_found':
      if (context === 'admin') return 'That account no longer exists.';
      return context === 'passkey' ? 'That passkey is already gone.' : 'That session has already ended.';
    case 'account_disabled':
      return context === 'login'
        ? 'This account is disabled: an administrator has to enable it before you can log in.'
        : 'This account is disabled: an administrator has to enable it again.';
    case 'mfa_required_for_admin':
      return 'The admin API needs a sign-in with a second factor: turn on two-factor authentication below, then log out and log in again with a code from your app.';
    case 'access_denied':
      return context === 'admin'
        ? 'Your account lacks the permission for this. A role given or taken reaches this page at its next token refresh.'
        : error.message;
    case 'cannot_modify_self':
      return 'You cannot do this to your own account: ask another administrator.';
    case 'service_unavailable':
      return error.retryAfterSeconds === undefined
        ? 'The service is not answering right now. Try again in a moment.'
        : `The service is not answering right now. Try again in ${waitTime(error.retryAfterSeconds)}.`;
    case 'network_error':
      return 'The service cannot be reached. Is npm start still running?';
    case 'too_many_requests':
      return 'The service is busy. Try again in a moment.';
    case 'internal_error':
      return 'Something went wrong on the service. Try again; if it keeps happening, look at its log.';
    default:
      return error.message;
  }
}

/** Whether a host is written as an IP address, where browsers allow neither passkeys nor, on http, the Secure cookie. */
export const isIpAddress = (hostname: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.includes(':') || hostname.startsWith('[');

/**
 * The sentence for a failed passkey ceremony (the browser's DOMException, or
 * @simplewebauthn/browser's WebAuthnError that wraps it), or undefined for anything else.
 * `localUrl` is this page at `localhost`, offered when the page was opened at an IP address.
 */
export function passkeyProblem(error: unknown, ceremony: 'register' | 'use', page: { hostname: string; localUrl: string }): string | undefined {
  if (!(error instanceof Error) || error instanceof AuthError) return undefined;
  const { name } = error;
  const code = (error as { code?: unknown }).code;
  if (code === 'ERROR_INVALID_DOMAIN' || (name === 'SecurityError' && isIpAddress(page.hostname))) {
    return `Passkeys need a host name, not an IP address: open ${page.localUrl} instead.`;
  }
  if (code === 'ERROR_INVALID_RP_ID' || name === 'SecurityError') {
    return "The browser refused the passkey for this address: it is not the service's passkey domain (WEBAUTHN_RP_ID).";
  }
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError') {
    return 'This device already holds a passkey for this account: use that one, or add one on another device.';
  }
  if (name === 'NotAllowedError') {
    return ceremony === 'register'
      ? 'No passkey was added: the dialog was cancelled or timed out.'
      : 'No passkey was used: the dialog was cancelled or timed out, or this device has no passkey for this site.';
  }
  if (code === 'ERROR_CEREMONY_ABORTED' || name === 'AbortError') return 'The passkey dialog was closed before it finished.';
  if (/not supported/i.test(error.message) || name === 'NotSupportedError') return 'This browser or device cannot use passkeys.';
  return undefined;
}
