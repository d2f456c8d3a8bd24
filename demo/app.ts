/**
 * The demo page's behaviour, in the browser. Bundled with the client and @simplewebauthn/browser
 * by demo/bundle.ts when the page asks for it; type-checked with DOM types by demo/tsconfig.json
 * (`npm run typecheck:demo`).
 */
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { AuthError, createAuthClient, type MfaAnswer, type MfaChallenge, type Passkey, type Session } from '../client';
import { takeActionLink } from './action-link';

// First of all: an email link's token leaves the address bar before anything else runs.
const link = takeActionLink();

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const ui = {
  main: document.querySelector('main') as HTMLElement,
  status: element<HTMLParagraphElement>('status'),
  signedOut: element<HTMLElement>('signed-out'),
  signedIn: element<HTMLElement>('signed-in'),
  form: element<HTMLFormElement>('credentials'),
  email: element<HTMLInputElement>('email'),
  password: element<HTMLInputElement>('password'),
  passkeyLogin: element<HTMLButtonElement>('passkey-login'),
  forgotToggle: element<HTMLButtonElement>('forgot-toggle'),
  forgot: element<HTMLFormElement>('forgot'),
  forgotEmail: element<HTMLInputElement>('forgot-email'),
  mfa: element<HTMLFormElement>('mfa'),
  mfaCode: element<HTMLInputElement>('mfa-code'),
  mfaCodeLabel: element<HTMLLabelElement>('mfa-code-label'),
  mfaUseRecovery: element<HTMLInputElement>('mfa-use-recovery'),
  mfaCancel: element<HTMLButtonElement>('mfa-cancel'),
  reset: element<HTMLElement>('reset'),
  resetForm: element<HTMLFormElement>('reset-form'),
  resetPassword: element<HTMLInputElement>('reset-password'),
  who: element<HTMLSpanElement>('who'),
  emailStatus: element<HTMLElement>('email-status'),
  resendVerification: element<HTMLButtonElement>('resend-verification'),
  countdown: element<HTMLElement>('countdown'),
  tokenLife: element<HTMLProgressElement>('token-life'),
  logout: element<HTMLButtonElement>('logout'),
  logoutAll: element<HTMLButtonElement>('logout-all'),
  reloadSessions: element<HTMLButtonElement>('reload-sessions'),
  sessions: element<HTMLTableSectionElement>('sessions'),
  moreSessions: element<HTMLButtonElement>('more-sessions'),
  changePassword: element<HTMLFormElement>('change-password'),
  currentPassword: element<HTMLInputElement>('current-password'),
  newPassword: element<HTMLInputElement>('new-password'),
  mfaState: element<HTMLElement>('mfa-state'),
  totpOff: element<HTMLElement>('totp-off'),
  totpOn: element<HTMLElement>('totp-on'),
  totpSetup: element<HTMLButtonElement>('totp-setup'),
  totpEnrol: element<HTMLElement>('totp-enrol'),
  totpQr: element<HTMLImageElement>('totp-qr'),
  totpSecret: element<HTMLElement>('totp-secret'),
  totpConfirm: element<HTMLFormElement>('totp-confirm'),
  totpConfirmCode: element<HTMLInputElement>('totp-confirm-code'),
  totpDisable: element<HTMLFormElement>('totp-disable'),
  totpDisablePassword: element<HTMLInputElement>('totp-disable-password'),
  totpDisableCode: element<HTMLInputElement>('totp-disable-code'),
  regenerateCodes: element<HTMLFormElement>('regenerate-codes'),
  regeneratePassword: element<HTMLInputElement>('regenerate-password'),
  recoveryCodes: element<HTMLElement>('recovery-codes'),
  recoveryCodeList: element<HTMLOListElement>('recovery-code-list'),
  recoveryCodesDone: element<HTMLButtonElement>('recovery-codes-done'),
  passkeys: element<HTMLUListElement>('passkeys'),
  addPasskey: element<HTMLFormElement>('add-passkey'),
  passkeyName: element<HTMLInputElement>('passkey-name'),
  deleteAccount: element<HTMLFormElement>('delete-account'),
  deletePassword: element<HTMLInputElement>('delete-password'),
  callMe: element<HTMLButtonElement>('call-me'),
  meOutput: element<HTMLPreElement>('me-output'),
  activity: element<HTMLUListElement>('activity'),
};

const MAX_ACTIVITY = 50;

function note(text: string, kind: 'info' | 'error' = 'info'): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  item.dataset.kind = kind;
  ui.activity.prepend(item);
  while (ui.activity.children.length > MAX_ACTIVITY) ui.activity.lastElementChild?.remove();
}

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

const describe = (error: unknown) => (error instanceof AuthError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error));

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

let tokenLifetimeMs = 0;

client.addEventListener('logged-in', (event) => {
  tokenLifetimeMs = event.tokens.expiresIn * 1000;
  showSignedIn(true);
});
client.addEventListener('refreshed', (event) => {
  tokenLifetimeMs = event.tokens.expiresIn * 1000;
  note(`access token refreshed (valid ${event.tokens.expiresIn} s)`);
  showSignedIn(true);
});
client.addEventListener('logged-out', (event) => {
  const messages = {
    logout: 'Logged out.',
    'logout-all': 'Logged out on every device.',
    'session-ended': 'This session was ended.',
    'refresh-failed': `Your session is over: the refresh was refused (${event.error?.code ?? 'unknown'}). Log in again.`,
    'account-deleted': 'Your account was deleted.',
  } as const;
  say(messages[event.reason], event.reason === 'refresh-failed' ? 'error' : 'info');
  note(`logged out (${event.reason})`);
  showSignedIn(false);
});

function showSignedIn(signedIn: boolean): void {
  ui.signedIn.hidden = !signedIn;
  ui.signedOut.hidden = signedIn;
  if (!signedIn) {
    ui.who.textContent = '';
    ui.emailStatus.dataset.verified = 'unknown';
    ui.mfaState.dataset.enabled = 'unknown';
    ui.sessions.replaceChildren();
    ui.passkeys.replaceChildren();
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

/** Runs one user action with its button disabled, and reports an error in the status line. */
async function act(button: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
  if (button) button.disabled = true;
  try {
    await action();
  } catch (error) {
    say(describe(error), 'error');
  } finally {
    if (button) button.disabled = false;
  }
}

/** `act` for a form: its submit button is the one disabled. */
function onSubmit(form: HTMLFormElement, action: (submitter: HTMLButtonElement | null) => Promise<void>): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
    void act(submitter, () => action(submitter));
  });
}

/** Everything the signed-in view shows, loaded after a login or a resumed session. */
async function loadAccount(): Promise<void> {
  await showMe();
  await Promise.all([loadSessions(), loadPasskeys()]);
}

async function showMe(): Promise<void> {
  const me = await client.me();
  ui.who.textContent = ` as ${me.email}`;
  ui.emailStatus.textContent = me.emailVerified ? 'verified' : 'not verified yet';
  ui.emailStatus.dataset.verified = String(me.emailVerified);
  ui.resendVerification.hidden = me.emailVerified;
  ui.mfaState.textContent = me.mfaEnabled ? 'on' : 'off';
  ui.mfaState.dataset.enabled = String(me.mfaEnabled);
  ui.totpOn.hidden = !me.mfaEnabled;
  ui.totpOff.hidden = me.mfaEnabled;
}

// --- Sessions, a page at a time ---

let nextSessionCursor: string | undefined;

async function loadSessions(more = false): Promise<void> {
  const page = await client.listSessions(more && nextSessionCursor !== undefined ? { cursor: nextSessionCursor } : {});
  nextSessionCursor = page.nextCursor;
  ui.moreSessions.hidden = nextSessionCursor === undefined;
  const rows = page.sessions.map(sessionRow);
  if (more) ui.sessions.append(...rows);
  else ui.sessions.replaceChildren(...rows);
}

const time = (iso: string) => new Date(iso).toLocaleString();

function sessionRow(session: Session): HTMLTableRowElement {
  const row = document.createElement('tr');
  const cells = [time(session.createdAt), time(session.lastUsedAt), time(session.expiresAt), session.userAgent ?? 'unknown', session.ip ?? 'unknown'];
  for (const [index, text] of cells.entries()) {
    const cell = document.createElement('td');
    cell.textContent = text;
    if (index === 3) cell.className = 'device';
    if (index === 0 && session.current) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'this browser';
      cell.append(badge);
    }
    row.append(cell);
  }
  const actions = document.createElement('td');
  const end = smallButton('End', `End the session started ${time(session.createdAt)}${session.current ? ' (this browser)' : ''}`);
  end.addEventListener('click', () =>
    act(end, async () => {
      await client.endSession(session.id);
      if (!session.current) {
        say('Session ended.');
        await loadSessions();
      }
    }),
  );
  actions.append(end);
  row.append(actions);
  return row;
}

function smallButton(text: string, label: string): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary small';
  button.textContent = text;
  button.setAttribute('aria-label', label);
  return button;
}

// --- Passkeys ---

async function loadPasskeys(): Promise<void> {
  ui.passkeys.replaceChildren(...(await client.listPasskeys()).map(passkeyItem));
}

function passkeyItem(passkey: Passkey): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.passkeyId = passkey.id;
  item.textContent = `${passkey.name}, added ${time(passkey.createdAt)}, ${passkey.lastUsedAt ? `last used ${time(passkey.lastUsedAt)}` : 'never used'} `;
  const remove = smallButton('Remove', `Remove the passkey ${passkey.name}`);
  remove.addEventListener('click', () =>
    act(remove, async () => {
      await client.deletePasskey(passkey.id);
      say(`Passkey ${passkey.name} removed.`);
      await loadPasskeys();
    }),
  );
  item.append(remove);
  return item;
}

// --- Second factor at login: the client asks, the page shows a form and answers when it is sent ---

let pendingSecondFactor: { resolve: (answer: MfaAnswer) => void; reject: (error: Error) => void } | undefined;

function askForSecondFactor(_challenge: MfaChallenge, previousError?: AuthError): Promise<MfaAnswer> {
  ui.form.hidden = true;
  ui.mfa.hidden = false;
  ui.mfaCode.value = '';
  ui.mfaCode.focus();
  if (previousError) say(`${describe(previousError)} Try again.`, 'error');
  else say('Enter the code from your authenticator app, or a recovery code.');
  return new Promise((resolve, reject) => {
    pendingSecondFactor = { resolve, reject };
  });
}

function closeSecondFactor(): void {
  ui.mfa.hidden = true;
  ui.form.hidden = false;
  ui.mfaUseRecovery.checked = false;
  ui.mfaCodeLabel.textContent = 'Code from your authenticator app';
  pendingSecondFactor = undefined;
}

ui.mfa.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = ui.mfaCode.value.trim();
  pendingSecondFactor?.resolve(ui.mfaUseRecovery.checked ? { recoveryCode: value } : { code: value });
});
ui.mfaUseRecovery.addEventListener('change', () => {
  ui.mfaCodeLabel.textContent = ui.mfaUseRecovery.checked ? 'Recovery code' : 'Code from your authenticator app';
});
ui.mfaCancel.addEventListener('click', () => pendingSecondFactor?.reject(new Error('Login cancelled.')));

// --- Signed out: log in, register, passkey, forgotten password ---

onSubmit(ui.form, async (submitter) => {
  const credentials = { email: ui.email.value, password: ui.password.value };
  if (submitter?.value === 'register') {
    const account = await client.register(credentials);
    note(`account created for ${account.email}; a verification email is on its way`);
  }
  try {
    await client.login(credentials);
  } finally {
    closeSecondFactor();
  }
  ui.password.value = '';
  say('Logged in.');
  await loadAccount();
});

ui.passkeyLogin.addEventListener('click', () =>
  act(ui.passkeyLogin, async () => {
    const email = ui.email.value.trim();
    await client.loginWithPasskey(email || undefined);
    say('Logged in with a passkey.');
    await loadAccount();
  }),
);

ui.forgotToggle.addEventListener('click', () => {
  ui.forgot.hidden = !ui.forgot.hidden;
  ui.forgotToggle.setAttribute('aria-expanded', String(!ui.forgot.hidden));
  if (!ui.forgot.hidden) ui.forgotEmail.value ||= ui.email.value;
});

onSubmit(ui.forgot, async () => {
  await client.forgotPassword(ui.forgotEmail.value);
  say(`If an account exists for ${ui.forgotEmail.value.trim()}, a reset link is on its way.`);
  ui.forgot.hidden = true;
});

// --- Signed in ---

ui.resendVerification.addEventListener('click', () =>
  act(ui.resendVerification, async () => {
    await client.requestVerificationEmail();
    say('A new verification email is on its way.');
  }),
);

onSubmit(ui.changePassword, async () => {
  await client.changePassword(ui.currentPassword.value, ui.newPassword.value);
  ui.changePassword.reset();
  say('Password changed. Your other sessions were ended.');
  await loadSessions();
});

ui.totpSetup.addEventListener('click', () =>
  act(ui.totpSetup, async () => {
    const enrolment = await client.totpSetup();
    // An image, never markup: the SVG cannot run anything as an <img>, and the CSP allows data: images.
    ui.totpQr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrolment.qrSvg)}`;
    ui.totpSecret.textContent = enrolment.secret;
    ui.totpEnrol.hidden = false;
    ui.totpConfirmCode.focus();
  }),
);

onSubmit(ui.totpConfirm, async () => {
  const codes = await client.totpConfirm(ui.totpConfirmCode.value.trim());
  ui.totpConfirm.reset();
  hideSecrets();
  showRecoveryCodes(codes);
  say('Two-factor authentication is on.');
  await showMe();
});

onSubmit(ui.totpDisable, async () => {
  await client.totpDisable(ui.totpDisablePassword.value, ui.totpDisableCode.value.trim());
  ui.totpDisable.reset();
  hideSecrets();
  say('Two-factor authentication is off.');
  await showMe();
});

onSubmit(ui.regenerateCodes, async () => {
  const codes = await client.regenerateRecoveryCodes(ui.regeneratePassword.value);
  ui.regenerateCodes.reset();
  showRecoveryCodes(codes);
  say('New recovery codes; the old ones no longer work.');
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

ui.recoveryCodesDone.addEventListener('click', hideSecrets);

onSubmit(ui.addPasskey, async () => {
  const passkey = await client.registerPasskey(ui.passkeyName.value.trim() || undefined);
  ui.addPasskey.reset();
  say(`Passkey ${passkey.name} added.`);
  await loadPasskeys();
});

onSubmit(ui.deleteAccount, async () => {
  if (!confirm('Delete your account and everything kept about it? This cannot be undone.')) return;
  await client.deleteAccount(ui.deletePassword.value);
  ui.deleteAccount.reset();
});

ui.callMe.addEventListener('click', () =>
  act(ui.callMe, async () => {
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
    } catch (error) {
      ui.meOutput.textContent = `Refused: ${describe(error)}`;
      ui.meOutput.dataset.status = 'error';
    }
  }),
);

ui.logout.addEventListener('click', () => act(ui.logout, () => client.logout()));
ui.logoutAll.addEventListener('click', () => act(ui.logoutAll, () => client.logoutAll()));
ui.reloadSessions.addEventListener('click', () => act(ui.reloadSessions, () => loadSessions()));
ui.moreSessions.addEventListener('click', () => act(ui.moreSessions, () => loadSessions(true)));

setInterval(tick, 250);

// --- Page load: an email link first, then resume the session from the refresh cookie ---

async function verifyEmailFromLink(token: string): Promise<void> {
  await client.verifyEmail(token);
  say('Your email is verified.');
  ui.main.dataset.emailVerified = 'true';
}

function offerPasswordReset(token: string): void {
  ui.reset.hidden = false;
  say('Choose a new password.');
  onSubmit(ui.resetForm, async () => {
    await client.resetPassword(token, ui.resetPassword.value);
    ui.resetForm.reset();
    ui.reset.hidden = true;
    // The reset ended every session of the account, perhaps this page's too.
    if (client.isLoggedIn) await client.logout();
    say('Your password was changed. Log in with the new one.');
  });
}

void (async () => {
  if (link?.action === 'verify-email') await act(null, () => verifyEmailFromLink(link.token));
  if (link?.action === 'reset-password') offerPasswordReset(link.token);
  probing = true;
  try {
    // A reload loses the in-memory access token, not the cookie. No session is the normal first visit.
    const resumed = await client.resume();
    probing = false;
    if (resumed) {
      if (!link) say('Session resumed from the refresh cookie.');
      await loadAccount();
    } else {
      note('signed out: no session to resume');
    }
  } catch (error) {
    say(describe(error), 'error');
  } finally {
    probing = false;
    ui.main.dataset.ready = 'true';
  }
})();
