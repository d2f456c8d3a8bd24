/**
 * The demo page's elements (by the ids of demo/page.ts) and the three places it writes to: the
 * alert line next to each form (`tell`), the page's status line (`say`) and the activity list
 * (`note`).
 */

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export const ui = {
  main: document.querySelector('main') as HTMLElement,
  addressNotice: element<HTMLParagraphElement>('address-notice'),
  status: element<HTMLParagraphElement>('status'),
  signedOut: element<HTMLElement>('signed-out'),
  signedIn: element<HTMLElement>('signed-in'),
  form: element<HTMLFormElement>('credentials'),
  formFeedback: element<HTMLParagraphElement>('credentials-feedback'),
  email: element<HTMLInputElement>('email'),
  password: element<HTMLInputElement>('password'),
  passkeyLogin: element<HTMLButtonElement>('passkey-login'),
  forgotToggle: element<HTMLButtonElement>('forgot-toggle'),
  forgot: element<HTMLFormElement>('forgot'),
  forgotEmail: element<HTMLInputElement>('forgot-email'),
  forgotFeedback: element<HTMLParagraphElement>('forgot-feedback'),
  mfa: element<HTMLFormElement>('mfa'),
  mfaCode: element<HTMLInputElement>('mfa-code'),
  mfaCodeLabel: element<HTMLLabelElement>('mfa-code-label'),
  mfaUseRecovery: element<HTMLInputElement>('mfa-use-recovery'),
  mfaCancel: element<HTMLButtonElement>('mfa-cancel'),
  mfaFeedback: element<HTMLParagraphElement>('mfa-feedback'),
  reset: element<HTMLElement>('reset'),
  resetForm: element<HTMLFormElement>('reset-form'),
  resetPassword: element<HTMLInputElement>('reset-password'),
  resetFeedback: element<HTMLParagraphElement>('reset-feedback'),
  who: element<HTMLSpanElement>('who'),
  emailStatus: element<HTMLElement>('email-status'),
  resendVerification: element<HTMLButtonElement>('resend-verification'),
  verificationFeedback: element<HTMLParagraphElement>('verification-feedback'),
  countdown: element<HTMLElement>('countdown'),
  tokenLife: element<HTMLProgressElement>('token-life'),
  logout: element<HTMLButtonElement>('logout'),
  logoutAll: element<HTMLButtonElement>('logout-all'),
  logoutFeedback: element<HTMLParagraphElement>('logout-feedback'),
  reloadSessions: element<HTMLButtonElement>('reload-sessions'),
  sessions: element<HTMLTableSectionElement>('sessions'),
  moreSessions: element<HTMLButtonElement>('more-sessions'),
  sessionsFeedback: element<HTMLParagraphElement>('sessions-feedback'),
  roles: element<HTMLElement>('roles'),
  reloadEvents: element<HTMLButtonElement>('reload-events'),
  events: element<HTMLUListElement>('events'),
  moreEvents: element<HTMLButtonElement>('more-events'),
  eventsFeedback: element<HTMLParagraphElement>('events-feedback'),
  adminView: element<HTMLElement>('admin-view'),
  adminSearch: element<HTMLFormElement>('admin-search'),
  adminEmailPrefix: element<HTMLInputElement>('admin-email-prefix'),
  adminUsers: element<HTMLUListElement>('admin-users'),
  moreUsers: element<HTMLButtonElement>('more-users'),
  adminFeedback: element<HTMLParagraphElement>('admin-feedback'),
  changePassword: element<HTMLFormElement>('change-password'),
  currentPassword: element<HTMLInputElement>('current-password'),
  newPassword: element<HTMLInputElement>('new-password'),
  changePasswordFeedback: element<HTMLParagraphElement>('change-password-feedback'),
  mfaState: element<HTMLElement>('mfa-state'),
  factorHint: element<HTMLParagraphElement>('factor-hint'),
  totpFeedback: element<HTMLParagraphElement>('totp-feedback'),
  totpOff: element<HTMLElement>('totp-off'),
  totpOn: element<HTMLElement>('totp-on'),
  totpSetup: element<HTMLButtonElement>('totp-setup'),
  totpSetupActions: element<HTMLElement>('totp-setup-actions'),
  totpSetupFeedback: element<HTMLParagraphElement>('totp-setup-feedback'),
  totpEnrol: element<HTMLElement>('totp-enrol'),
  totpQr: element<HTMLImageElement>('totp-qr'),
  totpSecret: element<HTMLElement>('totp-secret'),
  totpConfirm: element<HTMLFormElement>('totp-confirm'),
  totpConfirmCode: element<HTMLInputElement>('totp-confirm-code'),
  totpConfirmFeedback: element<HTMLParagraphElement>('totp-confirm-feedback'),
  totpDisable: element<HTMLFormElement>('totp-disable'),
  totpDisablePassword: element<HTMLInputElement>('totp-disable-password'),
  totpDisableCode: element<HTMLInputElement>('totp-disable-code'),
  totpDisableCodeLabel: element<HTMLLabelElement>('totp-disable-code-label'),
  totpDisableUseRecovery: element<HTMLInputElement>('totp-disable-use-recovery'),
  totpDisableFeedback: element<HTMLParagraphElement>('totp-disable-feedback'),
  regenerateCodes: element<HTMLFormElement>('regenerate-codes'),
  regeneratePassword: element<HTMLInputElement>('regenerate-password'),
  regenerateFeedback: element<HTMLParagraphElement>('regenerate-feedback'),
  recoveryCodes: element<HTMLElement>('recovery-codes'),
  recoveryCodeList: element<HTMLOListElement>('recovery-code-list'),
  recoveryCodesDone: element<HTMLButtonElement>('recovery-codes-done'),
  passkeys: element<HTMLUListElement>('passkeys'),
  passkeysFeedback: element<HTMLParagraphElement>('passkeys-feedback'),
  addPasskey: element<HTMLFormElement>('add-passkey'),
  passkeyName: element<HTMLInputElement>('passkey-name'),
  addPasskeyFeedback: element<HTMLParagraphElement>('add-passkey-feedback'),
  deleteAccount: element<HTMLFormElement>('delete-account'),
  deletePassword: element<HTMLInputElement>('delete-password'),
  deleteAccountFeedback: element<HTMLParagraphElement>('delete-account-feedback'),
  reauth: element<HTMLFormElement>('reauth'),
  reauthReason: element<HTMLParagraphElement>('reauth-reason'),
  reauthPassword: element<HTMLInputElement>('reauth-password'),
  reauthCodeField: element<HTMLElement>('reauth-code-field'),
  reauthCode: element<HTMLInputElement>('reauth-code'),
  reauthCodeLabel: element<HTMLLabelElement>('reauth-code-label'),
  reauthRecoveryField: element<HTMLElement>('reauth-recovery-field'),
  reauthUseRecovery: element<HTMLInputElement>('reauth-use-recovery'),
  reauthPasskey: element<HTMLButtonElement>('reauth-passkey'),
  reauthCancel: element<HTMLButtonElement>('reauth-cancel'),
  reauthFeedback: element<HTMLParagraphElement>('reauth-feedback'),
  callMe: element<HTMLButtonElement>('call-me'),
  meOutput: element<HTMLPreElement>('me-output'),
  activity: element<HTMLUListElement>('activity'),
};

export type Kind = 'ok' | 'error' | 'info';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An ISO 8601 time, as the person's locale writes it. */
export const time = (iso: string) => timeFormat.format(new Date(iso));

/** A small secondary button of a list row; `label` names the row it acts on, for screen readers. */
export function smallButton(text: string, label: string, kind: 'secondary' | 'danger' = 'secondary'): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = `${kind} small`;
  button.textContent = text;
  button.setAttribute('aria-label', label);
  return button;
}

/** Puts `target` in view if it is not (the smallest scroll that shows it). */
const reveal = (target: HTMLElement) => {
  if (!target.closest('[hidden]')) target.scrollIntoView({ block: 'nearest' });
};

/** The answer to an action, in the alert line next to its form; `code` is the contract's error code, if any. */
export function tell(line: HTMLElement, text: string, kind: Kind = 'ok', code?: string): void {
  write(line, text, kind, code);
  reveal(line);
}

/** `tell` without scrolling: for what the page loads on its own, where the person is not looking yet. */
export function write(line: HTMLElement, text: string, kind: Kind = 'ok', code?: string): void {
  line.textContent = text;
  line.dataset.kind = kind;
  if (code === undefined) delete line.dataset.code;
  else line.dataset.code = code;
}

/** Empties an alert line, before its form acts again. */
export function clear(line: HTMLElement): void {
  line.textContent = '';
  delete line.dataset.kind;
  delete line.dataset.code;
}

/** The page's own status line: email links, sign-in and sign-out. */
export function say(text: string, kind: Kind = 'ok', code?: string): void {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind === 'error' ? 'error' : 'info';
  if (code === undefined) delete ui.status.dataset.code;
  else ui.status.dataset.code = code;
  reveal(ui.status);
}

const MAX_ACTIVITY = 50;

/** One line of the activity list (requests and client events), newest first. */
export function note(text: string, kind: 'info' | 'error' = 'info'): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  item.dataset.kind = kind;
  ui.activity.prepend(item);
  while (ui.activity.children.length > MAX_ACTIVITY) ui.activity.lastElementChild?.remove();
}

/** Switches a code field between a TOTP code (digits) and a recovery code (letters too). */
export function useRecoveryCode(input: HTMLInputElement, label: HTMLLabelElement, recovery: boolean, appLabel: string): void {
  label.textContent = recovery ? 'Recovery code' : appLabel;
  input.inputMode = recovery ? 'text' : 'numeric';
  input.autocomplete = recovery ? 'off' : 'one-time-code';
}
