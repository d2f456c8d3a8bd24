/**
 * The demo page's behaviour, in the browser. Bundled with the client and @simplewebauthn/browser
 * by demo/bundle.ts when the page asks for it; type-checked with DOM types by demo/tsconfig.json
 * (`npm run typecheck:demo`). Each action answers in the alert line next to its form.
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { AuthError, createAuthClient, type LoggedOutReason, type Me, type MfaAnswer, type MfaChallenge, type Passkey, type Session } from '../client';
import { takeActionLink, type ActionLink } from './action-link';
import { createAdminView } from './admin-view';
import { createReauthPrompt } from './reauth';
import { createSecurityEvents } from './security-events';
import { clear, note, say, smallButton, tell, time, ui, useRecoveryCode } from './ui';
import { rememberUsed, wasUsed } from './used-links';
import { deviceName } from './user-agent';
import { CancelledError, isIpAddress, passkeyProblem, sentenceFor, type FormContext } from './words';

// First of all: an email link's token leaves the address bar before anything else runs.
const link = takeActionLink();

/** This page at localhost, for a page opened at an IP address (no passkeys, no Secure cookie there). */
const localUrl = (() => {
  const url = new URL(location.href);
  url.hostname = 'localhost';
  return url.href;
})();
const pageAddress = { hostname: location.hostname, localUrl };

const describe = (error: unknown) => (error instanceof AuthError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown) => (error instanceof AuthError ? error.code : undefined);

/** True while the page asks, on load, whether the refresh cookie holds a session: its 401 means "signed out", not a failure. */
let probing = false;

/** Every request the client makes shows up in the activity list. */
async function loggedFetch(request: Request): Promise<Response> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  const probe = probing && request.url.endsWith('/auth/refresh');
  try {
    const response = await fetch(request);
    if (probe && response.status === 401) note(`${label} → 401: no session to resume`);
    else note(`${label} → ${response.status}`, response.ok ? 'info' : 'error');
    return response;
  } catch (error) {
    note(`${label} → network error`, 'error');
    throw error;
  }
}

const client = createAuthClient({
  baseUrl: location.origin + (ui.main.dataset.basePath ?? ''),
  delivery: 'cookie',
  fetch: loggedFetch,
  onMfaRequired: askForSecondFactor,
  webauthn: { startRegistration, startAuthentication },
});

/** What the page knows of the signed-in account, for the re-authentication form. */
let account: (Me & { hasPasskeys: boolean }) | undefined;
const reauth = createReauthPrompt(client, () => account, pageAddress);
const events = createSecurityEvents(client, act);
const adminView = createAdminView(client, act, () => account);

let tokenLifetimeMs = 0;

client.addEventListener('logged-in', (event) => {
  tokenLifetimeMs = event.tokens.expiresIn * 1000;
  closeReset();
  showSignedIn(true);
});
client.addEventListener('refreshed', (event) => {
  tokenLifetimeMs = event.tokens.expiresIn * 1000;
  note(`access token refreshed (valid ${event.tokens.expiresIn} s)`);
  showSignedIn(true);
});
client.addEventListener('reauthenticated', (event) => {
  tokenLifetimeMs = event.tokens.expiresIn * 1000;
  note('re-authenticated: a new access token with a fresh sign-in time');
});
client.addEventListener('logged-out', (event) => {
  note(`logged out (${event.reason})`);
  showSignedIn(false);
  const elsewhere = event.reason === 'refresh-failed' || (event.reason === 'account-deleted' && event.error !== undefined);
  say(loggedOutSentence(event.reason, event.error), elsewhere ? 'error' : 'ok', event.error?.code);
});

function loggedOutSentence(reason: LoggedOutReason, error: AuthError | undefined): string {
  switch (reason) {
    case 'logout':
      return 'Logged out.';
    case 'logout-all':
      return 'Logged out on every device.';
    case 'session-ended':
      return 'This session was ended.';
    case 'account-deleted':
      return error ? 'You were signed out: this account no longer exists (it was deleted, perhaps on another device).' : 'Your account was deleted.';
    case 'account-disabled':
      return 'You were signed out: an administrator disabled this account.';
    case 'refresh-failed':
      if (error?.code === 'invalid_refresh_token') {
        return 'You were signed out: this session was ended on another device, by a password change or reset, or it expired. Log in again.';
      }
      if (error?.code === 'csrf_rejected') return "You were signed out: this page's origin is not allowed to use the session cookie (CORS_ALLOWED_ORIGINS).";
      return `You were signed out: ${sentenceFor(error)} Log in again.`;
  }
}

function showSignedIn(signedIn: boolean): void {
  ui.signedIn.hidden = !signedIn;
  ui.signedOut.hidden = signedIn;
  // The roles (and the admin view) follow the token: a role given or taken arrives with a refresh.
  adminView.update();
  // Answers belong to the view they were given in: the next time it shows, it starts clean.
  for (const line of (signedIn ? ui.signedOut : ui.signedIn).querySelectorAll<HTMLElement>('.feedback')) clear(line);
  if (!signedIn) {
    reauth.cancel();
    account = undefined;
    ui.who.textContent = '';
    ui.emailStatus.dataset.verified = 'unknown';
    ui.mfaState.dataset.enabled = 'unknown';
    ui.sessions.replaceChildren();
    ui.passkeys.replaceChildren();
    events.clear();
    hideSecrets();
  }
  tick();
}

/** The TOTP secret, its QR code and the recovery codes stay on screen only as long as they are needed. */
function hideSecrets(): void {
  ui.totpEnrol.hidden = true;
  ui.totpSecret.textContent = '';
  ui.totpQr.removeAttribute('src');
  ui.recoveryCodes.hidden = true;
  ui.recoveryCodeList.replaceChildren();
}

function tick(): void {
  const expiresAt = client.accessTokenExpiresAt;
  if (expiresAt === null) {
    ui.countdown.textContent = '–';
    ui.tokenLife.value = 0;
    return;
  }
  const leftMs = expiresAt - Date.now();
  ui.countdown.textContent = leftMs > 0 ? `${Math.ceil(leftMs / 1000)} s` : 'expired: the next call refreshes it';
  ui.tokenLife.value = tokenLifetimeMs > 0 ? Math.max(0, leftMs) / tokenLifetimeMs : 0;
}

/**
 * Runs one user action with its button disabled. A failure is said in `line` (the alert line next
 * to the form), in the words of `context`; a failure that signed the page out is said by the
 * logged-out handler instead.
 */
async function act(line: HTMLElement, button: HTMLButtonElement | null, context: FormContext, action: () => Promise<void>): Promise<void> {
  if (button) button.disabled = true;
  clear(line);
  try {
    await action();
  } catch (error) {
    if (error instanceof AuthError) note(`refused: ${describe(error)}`, 'error');
    if (!ui.signedIn.contains(line) || client.isLoggedIn) {
      const sentence = passkeyProblem(error, context === 'add-factor' ? 'register' : 'use', pageAddress) ?? sentenceFor(error, context);
      tell(line, sentence, error instanceof CancelledError ? 'info' : 'error', codeOf(error));
    }
  } finally {
    if (button) button.disabled = false;
  }
}

/** Browsers refuse passkeys on an IP address: say so before asking the service for a challenge. */
function refuseIpAddress(): void {
  if (isIpAddress(location.hostname)) throw Object.assign(new Error('Passkeys need a host name.'), { name: 'SecurityError' });
}

/** `act` for a form: its submit button is the one disabled. */
function onSubmit(form: HTMLFormElement, line: HTMLElement, context: FormContext, action: () => Promise<void>): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(line, (event as SubmitEvent).submitter as HTMLButtonElement | null, context, action);
  });
}

/** Everything the signed-in view shows, loaded after a login or a resumed session. */
async function loadAccount(): Promise<void> {
  await showMe();
  await Promise.all([loadSessions(), loadPasskeys(), events.refresh(), adminView.loadOnce()]);
}

async function showMe(): Promise<void> {
  const me = await client.me();
  account = { ...me, hasPasskeys: account?.hasPasskeys ?? false };
  ui.who.textContent = ` as ${me.email}`;
  ui.emailStatus.textContent = me.emailVerified ? 'verified' : 'not verified yet: check your inbox';
  ui.emailStatus.dataset.verified = String(me.emailVerified);
  ui.resendVerification.hidden = me.emailVerified;
  ui.factorHint.hidden = me.emailVerified;
  ui.mfaState.textContent = me.mfaEnabled ? 'on' : 'off';
  ui.mfaState.dataset.enabled = String(me.mfaEnabled);
  ui.totpOn.hidden = !me.mfaEnabled;
  ui.totpOff.hidden = me.mfaEnabled;
}

// --- Sessions, a page at a time ---

let nextSessionCursor: string | undefined;

async function loadSessions(more = false): Promise<void> {
  const page = await client.listSessions(more && nextSessionCursor !== undefined ? { cursor: nextSessionCursor } : {});
  // The whole list without this session: it was ended elsewhere (its access token still works
  // until it expires). A refresh is the service's word on it, and a refused one signs out.
  if (!more && page.nextCursor === undefined && !page.sessions.some((session) => session.current)) {
    await client.refresh().catch(() => undefined);
    if (!client.isLoggedIn) return;
  }
  nextSessionCursor = page.nextCursor;
  ui.moreSessions.hidden = nextSessionCursor === undefined;
  const rows = page.sessions.map(sessionRow);
  if (more) ui.sessions.append(...rows);
  else ui.sessions.replaceChildren(...rows);
}

function sessionRow(session: Session): HTMLTableRowElement {
  const row = document.createElement('tr');
  row.setAttribute('role', 'row');
  const cells: [label: string, text: string][] = [
    ['Started', time(session.createdAt)],
    ['Last used', time(session.lastUsedAt)],
    ['Expires', time(session.expiresAt)],
    ['Device', deviceName(session.userAgent)],
    ['IP', session.ip ?? 'unknown'],
  ];
  for (const [label, text] of cells) {
    const cell = document.createElement('td');
    cell.setAttribute('role', 'cell');
    cell.dataset.label = label;
    cell.textContent = text;
    if (label === 'Started' || label === 'Last used' || label === 'Expires') cell.className = 'time';
    if (label === 'Device') {
      cell.className = 'device';
      if (session.userAgent) cell.title = session.userAgent;
    }
    if (label === 'Started' && session.current) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'this browser';
      cell.append(badge);
    }
    row.append(cell);
  }
  const actions = document.createElement('td');
  actions.setAttribute('role', 'cell');
  const end = smallButton('End', `End the session started ${time(session.createdAt)}${session.current ? ' (this browser)' : ''}`);
  end.addEventListener('click', () =>
    act(ui.sessionsFeedback, end, 'general', async () => {
      await client.endSession(session.id);
      if (!session.current) {
        await Promise.all([loadSessions(), events.refresh()]);
        tell(ui.sessionsFeedback, 'Session ended: that device is signed out at its next refresh.');
      }
    }),
  );
  actions.append(end);
  row.append(actions);
  return row;
}

// --- Passkeys ---

async function loadPasskeys(): Promise<void> {
  const passkeys = await client.listPasskeys();
  if (account) account = { ...account, hasPasskeys: passkeys.length > 0 };
  ui.passkeys.replaceChildren(...passkeys.map(passkeyItem));
}

function passkeyItem(passkey: Passkey): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.passkeyId = passkey.id;
  item.textContent = `${passkey.name}, added ${time(passkey.createdAt)}, ${passkey.lastUsedAt ? `last used ${time(passkey.lastUsedAt)}` : 'never used'} `;
  const remove = smallButton('Remove', `Remove the passkey ${passkey.name}`);
  remove.addEventListener('click', () =>
    act(ui.passkeysFeedback, remove, 'passkey', async () => {
      await reauth.sensitive(ui.passkeys, () => client.deletePasskey(passkey.id));
      await Promise.all([loadPasskeys(), events.refresh()]);
      tell(ui.passkeysFeedback, `Passkey ${passkey.name} removed.`);
    }),
  );
  item.append(remove);
  return item;
}

// --- Second factor at login: the client asks, the page shows a form and answers when it is sent ---

let pendingSecondFactor: { resolve: (answer: MfaAnswer) => void; reject: (error: Error) => void } | undefined;
const APP_CODE_LABEL = 'Code from your authenticator app';

function askForSecondFactor(_challenge: MfaChallenge, previousError?: AuthError): Promise<MfaAnswer> {
  ui.form.hidden = true;
  ui.mfa.hidden = false;
  ui.mfaCode.value = '';
  ui.mfaCode.focus();
  if (previousError) tell(ui.mfaFeedback, sentenceFor(previousError, 'second-factor'), 'error', previousError.code);
  else tell(ui.mfaFeedback, 'Enter the code from your authenticator app, or a recovery code.', 'info');
  return new Promise((resolve, reject) => {
    pendingSecondFactor = { resolve, reject };
  });
}

function closeSecondFactor(): void {
  ui.mfa.hidden = true;
  ui.form.hidden = false;
  ui.mfaUseRecovery.checked = false;
  useRecoveryCode(ui.mfaCode, ui.mfaCodeLabel, false, APP_CODE_LABEL);
  clear(ui.mfaFeedback);
  pendingSecondFactor = undefined;
}

ui.mfa.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = ui.mfaCode.value.trim();
  clear(ui.mfaFeedback);
  pendingSecondFactor?.resolve(ui.mfaUseRecovery.checked ? { recoveryCode: value } : { code: value });
});
ui.mfaUseRecovery.addEventListener('change', () => useRecoveryCode(ui.mfaCode, ui.mfaCodeLabel, ui.mfaUseRecovery.checked, APP_CODE_LABEL));
ui.mfaCancel.addEventListener('click', () => pendingSecondFactor?.reject(new CancelledError('Login cancelled.')));

// --- Signed out: log in, register, passkey, forgotten password ---

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
  const registering = submitter?.value === 'register';
  clear(ui.forgotFeedback);
  void act(ui.formFeedback, submitter, 'login', async () => {
    const credentials = { email: ui.email.value, password: ui.password.value };
    let created: string | undefined;
    if (registering) {
      created = (await client.register(credentials)).email;
      note(`account created for ${created}; a verification email is on its way`);
    }
    try {
      await client.login(credentials);
    } finally {
      // A refusal after the second factor is said next to the login form, which comes back.
      closeSecondFactor();
    }
    ui.password.value = '';
    say(created ? `Account created and signed in. Check your inbox: we sent a link to verify ${created}.` : 'Logged in.');
    await loadAccount();
  });
});

ui.passkeyLogin.addEventListener('click', () =>
  act(ui.formFeedback, ui.passkeyLogin, 'login', async () => {
    clear(ui.forgotFeedback);
    refuseIpAddress();
    await client.loginWithPasskey(ui.email.value.trim() || undefined);
    say('Logged in with a passkey.');
    await loadAccount();
  }),
);

function setForgotOpen(open: boolean): void {
  ui.forgot.hidden = !open;
  ui.forgotToggle.setAttribute('aria-expanded', String(open));
  if (open) {
    ui.forgotEmail.value ||= ui.email.value;
    ui.forgotEmail.focus();
  }
}

ui.forgotToggle.addEventListener('click', () => {
  clear(ui.formFeedback);
  clear(ui.forgotFeedback);
  setForgotOpen(ui.forgot.hidden !== false);
});

onSubmit(ui.forgot, ui.forgotFeedback, 'general', async () => {
  const email = ui.forgotEmail.value.trim();
  await client.forgotPassword(email);
  setForgotOpen(false);
  tell(ui.forgotFeedback, `If an account exists for ${email}, a reset link is on its way. It works once, for a limited time.`);
});

// --- Signed in ---

ui.resendVerification.addEventListener('click', () =>
  act(ui.verificationFeedback, ui.resendVerification, 'general', async () => {
    await client.requestVerificationEmail();
    tell(ui.verificationFeedback, 'A new verification email is on its way. Check your inbox.');
  }),
);

onSubmit(ui.changePassword, ui.changePasswordFeedback, 'account', async () => {
  await reauth.sensitive(ui.changePassword, () => client.changePassword(ui.currentPassword.value, ui.newPassword.value));
  ui.changePassword.reset();
  await Promise.all([loadSessions(), events.refresh()]);
  tell(ui.changePasswordFeedback, 'Password changed. Your other sessions were ended.');
});

ui.totpSetup.addEventListener('click', () =>
  act(ui.totpSetupFeedback, ui.totpSetup, 'add-factor', async () => {
    const enrolment = await reauth.sensitive(ui.totpSetupActions, () => client.totpSetup());
    // An image, never markup: the SVG cannot run anything as an <img>, and the CSP allows data: images.
    ui.totpQr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`;
    ui.totpSecret.textContent = enrolment.secret;
    ui.totpEnrol.hidden = false;
    ui.totpConfirmCode.focus({ preventScroll: true });
    tell(ui.totpSetupFeedback, 'Scan this QR code with your authenticator app, or type the secret, then enter the code it shows.', 'info');
  }),
);

onSubmit(ui.totpConfirm, ui.totpConfirmFeedback, 'add-factor', async () => {
  const codes = await reauth.sensitive(ui.totpConfirm, () => client.totpConfirm(ui.totpConfirmCode.value.trim()));
  ui.totpConfirm.reset();
  hideSecrets();
  clear(ui.totpSetupFeedback);
  await Promise.all([showMe(), events.refresh()]);
  showRecoveryCodes(codes);
  tell(ui.totpFeedback, 'Two-factor authentication is on. Save your recovery codes below.');
});

ui.totpDisableUseRecovery.addEventListener('change', () =>
  useRecoveryCode(ui.totpDisableCode, ui.totpDisableCodeLabel, ui.totpDisableUseRecovery.checked, 'Current code'),
);

onSubmit(ui.totpDisable, ui.totpDisableFeedback, 'account', async () => {
  const value = ui.totpDisableCode.value.trim();
  const answer: MfaAnswer = ui.totpDisableUseRecovery.checked ? { recoveryCode: value } : { code: value };
  await reauth.sensitive(ui.totpDisable, () => client.totpDisable(ui.totpDisablePassword.value, answer));
  ui.totpDisable.reset();
  useRecoveryCode(ui.totpDisableCode, ui.totpDisableCodeLabel, false, 'Current code');
  hideSecrets();
  await Promise.all([showMe(), events.refresh()]);
  tell(ui.totpFeedback, 'Two-factor authentication is off.');
});

onSubmit(ui.regenerateCodes, ui.regenerateFeedback, 'account', async () => {
  const codes = await reauth.sensitive(ui.regenerateCodes, () => client.regenerateRecoveryCodes(ui.regeneratePassword.value));
  ui.regenerateCodes.reset();
  showRecoveryCodes(codes);
  void events.refresh();
  tell(ui.totpFeedback, 'New recovery codes, below; the old ones no longer work.');
});

function showRecoveryCodes(codes: string[]): void {
  ui.recoveryCodeList.replaceChildren(
    ...codes.map((code) => {
      const item = document.createElement('li');
      item.textContent = code;
      return item;
    }),
  );
  ui.recoveryCodes.hidden = false;
}

ui.recoveryCodesDone.addEventListener('click', () => {
  hideSecrets();
  clear(ui.totpFeedback);
});

onSubmit(ui.addPasskey, ui.addPasskeyFeedback, 'add-factor', async () => {
  refuseIpAddress();
  const passkey = await reauth.sensitive(ui.addPasskey, () => client.registerPasskey(ui.passkeyName.value));
  ui.addPasskey.reset();
  // The answer appears with the new passkey in the list; the events follow on their own.
  await loadPasskeys();
  void events.refresh();
  tell(ui.addPasskeyFeedback, `Passkey ${passkey.name} added.`);
});

onSubmit(ui.deleteAccount, ui.deleteAccountFeedback, 'account', async () => {
  if (!confirm('Delete your account and everything kept about it? This cannot be undone.')) {
    tell(ui.deleteAccountFeedback, 'Nothing was deleted.');
    return;
  }
  await reauth.sensitive(ui.deleteAccount, () => client.deleteAccount(ui.deletePassword.value));
  ui.deleteAccount.reset();
});

ui.callMe.addEventListener('click', () => void callMe());

/** The answer of /me as it came, in the panel; the client attaches (and refreshes) the token. */
async function callMe(): Promise<void> {
  ui.callMe.disabled = true;
  ui.meOutput.dataset.status = 'pending';
  try {
      const response = await client.fetch('/me');
      const text = await response.text();
      let body = text;
      try {
        body = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        /* not JSON: show as is */
      }
      ui.meOutput.textContent = `${response.status} ${response.statusText}\n${body}`;
      ui.meOutput.dataset.status = String(response.status);
      // A token that still works for an account that is gone: the client's own /me signs out with a sentence.
      if (response.status === 404) await client.me().catch(() => undefined);
  } catch (error) {
    ui.meOutput.textContent = `Refused: ${describe(error)}`;
    ui.meOutput.dataset.status = 'error';
  } finally {
    ui.callMe.disabled = false;
  }
}

ui.logout.addEventListener('click', () => act(ui.logoutFeedback, ui.logout, 'general', () => client.logout()));
ui.logoutAll.addEventListener('click', () => act(ui.logoutFeedback, ui.logoutAll, 'general', () => client.logoutAll()));
ui.reloadSessions.addEventListener('click', () =>
  act(ui.sessionsFeedback, ui.reloadSessions, 'general', async () => {
    await loadSessions();
    if (client.isLoggedIn) tell(ui.sessionsFeedback, `${ui.sessions.rows.length} live session${ui.sessions.rows.length === 1 ? '' : 's'}.`);
  }),
);
ui.moreSessions.addEventListener('click', () => act(ui.sessionsFeedback, ui.moreSessions, 'general', () => loadSessions(true)));

setInterval(tick, 250);

// --- Email links: each says what happened, and a link this browser already used says so at once ---

/** After a refused verification link, the account (once resumed) tells whether the email is verified anyway. */
let verificationRefused = false;

async function verifyEmailFromLink(token: string): Promise<void> {
  if (await wasUsed('verify-email', token)) {
    say('Your email is already verified: this link was used before.');
    return;
  }
  try {
    await client.verifyEmail(token);
  } catch (error) {
    if (codeOf(error) !== 'invalid_one_time_token') throw error;
    verificationRefused = true;
    say('This verification link was already used, has expired, or a newer one replaced it. Log in to send a new one if your email is not verified yet.', 'error', 'invalid_one_time_token');
    return;
  }
  await rememberUsed('verify-email', token);
  say('Your email is verified.');
}

function offerPasswordReset(token: string): void {
  ui.reset.hidden = false;
  ui.resetPassword.focus();
  say('Choose a new password.');
  onSubmit(ui.resetForm, ui.resetFeedback, 'general', async () => {
    try {
      await client.resetPassword(token, ui.resetPassword.value);
    } catch (error) {
      if (codeOf(error) !== 'invalid_one_time_token') throw error;
      closeReset();
      setForgotOpen(true);
      say('This reset link was already used, has expired, or a newer one replaced it. Ask for a new one below.', 'error', 'invalid_one_time_token');
      return;
    }
    await rememberUsed('reset-password', token);
    closeReset();
    // The reset ended every session of the account, perhaps this page's too.
    if (client.isLoggedIn) await client.logout();
    say('Your password was changed, and every session of the account was signed out. Log in with the new one.');
  });
}

/** The reset form never outlives its link: gone after a refusal, a reset or a sign-in. */
function closeReset(): void {
  ui.reset.hidden = true;
  ui.resetForm.reset();
  clear(ui.resetFeedback);
}

async function reportFactorFromLink(token: string): Promise<void> {
  if (await wasUsed('report-factor', token)) {
    say('You already reported this: that sign-in method was removed, and every session of the account was signed out.');
    return;
  }
  try {
    await client.reportFactor(token);
  } catch (error) {
    if (codeOf(error) !== 'invalid_one_time_token') throw error;
    say('This link was already used or has expired, so it changed nothing. If a sign-in method you did not add is still on your account, log in and remove it.', 'error', 'invalid_one_time_token');
    return;
  }
  await rememberUsed('report-factor', token);
  say('Thank you: that sign-in method was removed, and every session of the account was signed out. If you did not add it, also choose a new password with "Forgot password?".');
}

async function followLink(action: ActionLink): Promise<void> {
  switch (action.action) {
    case 'verify-email':
      return verifyEmailFromLink(action.token);
    case 'reset-password':
      if (await wasUsed('reset-password', action.token)) {
        setForgotOpen(true);
        say('This reset link was already used. To change the password again, ask for a new link below.', 'error');
        return;
      }
      return offerPasswordReset(action.token);
    case 'report-factor':
      return reportFactorFromLink(action.token);
  }
}

// --- Page load: an email link first, then resume the session from the refresh cookie ---

if (isIpAddress(location.hostname)) {
  ui.addressNotice.append(
    'This page is open at an IP address, where browsers allow no passkeys and keep no Secure cookie on http. Open ',
    Object.assign(document.createElement('a'), { href: localUrl, textContent: localUrl }),
    ' instead.',
  );
  ui.addressNotice.hidden = false;
}

void (async () => {
  if (link) {
    try {
      await followLink(link);
    } catch (error) {
      say(sentenceFor(error, 'link'), 'error', codeOf(error));
    }
  }
  probing = true;
  try {
    // A reload loses the in-memory access token, not the cookie. No session is the normal first visit.
    const resumed = await client.resume();
    probing = false;
    if (resumed) {
      if (!link) say('Session resumed from the refresh cookie.');
      await loadAccount();
      if (verificationRefused && account?.emailVerified) say('Your email is already verified.');
    } else {
      note('signed out: no session to resume');
    }
  } catch (error) {
    say(sentenceFor(error), 'error', codeOf(error));
  } finally {
    probing = false;
    ui.main.dataset.ready = 'true';
  }
})();
