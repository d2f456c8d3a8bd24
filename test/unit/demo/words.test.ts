import { AuthError } from '../../../client';
import { CancelledError, isIpAddress, passkeyProblem, sentenceFor, waitTime } from '../../../demo/words';

// What the demo page says to a person about each failure, in the words of the form it answers.

const page = { hostname: 'localhost', localUrl: 'http://localhost:3000/dev/demo' };
/** A DOMException-like error, as the browser (or @simplewebauthn/browser, which keeps the name) throws it. */
const webAuthnError = (name: string, code?: string) => Object.assign(new Error(`${name} from the browser`), { name, ...(code ? { code } : {}) });

describe('sentenceFor', () => {
  it('says "That password is not right" for a wrong current password in an account form, and names the email at login', () => {
    const wrong = new AuthError('invalid_credentials', 'The email or password is incorrect.', 401);
    expect(sentenceFor(wrong, 'account')).toBe('That password is not right.');
    expect(sentenceFor(wrong, 'login')).toBe('The email or password is not right.');
  });

  it('says how long to wait after a lockout (too_many_attempts with Retry-After)', () => {
    expect(sentenceFor(new AuthError('too_many_attempts', 'x', 429, { retryAfterSeconds: 900 }), 'login')).toBe('Too many attempts. Try again in 15 minutes.');
    expect(sentenceFor(new AuthError('too_many_attempts', 'x', 429, { retryAfterSeconds: 42 }), 'account')).toBe('Too many attempts. Try again in 42 seconds.');
    expect(sentenceFor(new AuthError('too_many_attempts', 'x', 429), 'login')).toBe('Too many attempts. Wait a while before you try again.');
  });

  it('asks to verify the email first when adding a factor answers email_not_verified', () => {
    expect(sentenceFor(new AuthError('email_not_verified', 'x', 403), 'add-factor')).toMatch(/^Verify your email first/);
    expect(sentenceFor(new AuthError('email_not_verified', 'x', 403), 'login')).toMatch(/^Verify your email before you log in/);
  });

  it('says the admin API refusals in the admin view\'s words', () => {
    expect(sentenceFor(new AuthError('mfa_required_for_admin', 'x', 403), 'admin')).toMatch(/^The admin API needs a sign-in with a second factor/);
    expect(sentenceFor(new AuthError('cannot_modify_self', 'x', 409), 'admin')).toBe('You cannot do this to your own account: ask another administrator.');
    expect(sentenceFor(new AuthError('not_found', 'x', 404), 'admin')).toBe('That account no longer exists.');
    expect(sentenceFor(new AuthError('access_denied', 'x', 403), 'admin')).toMatch(/^Your account lacks the permission for this/);
    expect(sentenceFor(new AuthError('account_disabled', 'x', 403), 'login')).toMatch(/^This account is disabled: an administrator has to enable it/);
  });

  it('falls back to the service sentence, and says a cancellation as it is', () => {
    expect(sentenceFor(new AuthError('invalid_request', 'password must be at least 8 characters', 400))).toBe('password must be at least 8 characters');
    expect(sentenceFor(new CancelledError())).toBe('Cancelled: nothing was changed.');
    expect(sentenceFor(new AuthError('network_error', 'Could not reach http://x', 0))).toMatch(/cannot be reached/);
  });
});

describe('waitTime', () => {
  it.each([
    [1, '1 second'],
    [59, '59 seconds'],
    [60, '1 minute'],
    [61, '2 minutes'],
    [900, '15 minutes'],
    [3600, '1 hour'],
    [5400, '2 hours'],
    [0, '1 second'],
  ])('%d s → %s', (seconds, text) => expect(waitTime(seconds)).toBe(text));
});

describe('passkeyProblem', () => {
  it('maps a cancelled or timed-out dialog, or no passkey on the device (NotAllowedError), by ceremony', () => {
    expect(passkeyProblem(webAuthnError('NotAllowedError', 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY'), 'register', page)).toBe('No passkey was added: the dialog was cancelled or timed out.');
    expect(passkeyProblem(webAuthnError('NotAllowedError'), 'use', page)).toMatch(/cancelled or timed out, or this device has no passkey for this site/);
  });

  it('maps an authenticator that already holds a passkey for the account (InvalidStateError)', () => {
    expect(passkeyProblem(webAuthnError('InvalidStateError', 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED'), 'register', page)).toMatch(/already holds a passkey for this account/);
  });

  it('offers localhost when the page is open at an IP address (SecurityError, ERROR_INVALID_DOMAIN)', () => {
    const atIp = { hostname: '127.0.0.1', localUrl: 'http://localhost:3000/dev/demo' };
    const expected = 'Passkeys need a host name, not an IP address: open http://localhost:3000/dev/demo instead.';
    expect(passkeyProblem(webAuthnError('SecurityError', 'ERROR_INVALID_DOMAIN'), 'register', atIp)).toBe(expected);
    expect(passkeyProblem(webAuthnError('SecurityError'), 'use', atIp)).toBe(expected);
    expect(passkeyProblem(webAuthnError('SecurityError', 'ERROR_INVALID_RP_ID'), 'use', page)).toMatch(/WEBAUTHN_RP_ID/);
  });

  it('leaves the service refusals and other errors to sentenceFor', () => {
    expect(passkeyProblem(new AuthError('invalid_passkey', 'x', 401), 'use', page)).toBeUndefined();
    expect(passkeyProblem(new CancelledError(), 'use', page)).toBeUndefined();
    expect(passkeyProblem('not an error', 'use', page)).toBeUndefined();
  });
});

describe('isIpAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['::1', true],
    ['localhost', false],
    ['auth.example.com', false],
  ])('%s → %s', (host, ip) => expect(isIpAddress(host)).toBe(ip));
});
