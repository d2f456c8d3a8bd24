/**
 * The service's emails, as pure functions of their inputs.
 *
 * Each one says which account it is about and what will happen. A message that carries a
 * one-time token has exactly one link in each part, with the token in the URL fragment: browsers
 * do not send a fragment to any server, so it stays out of access logs, proxies and Referer
 * headers. The "password changed" notice has no link at all, so it can never carry a token.
 * Everything interpolated into HTML is escaped.
 */

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What a link in an email lets its reader do; the app page reads it from `?action=`. */
export type EmailAction = 'verify-email' | 'reset-password' | 'report-factor';

export interface TokenEmailInput {
  readonly to: string;
  /** Built with `actionLink`. */
  readonly link: string;
  readonly expiresInSeconds: number;
  readonly serviceName: string;
}

export interface PasswordChangedInput {
  readonly to: string;
  /** When the password changed, epoch ms. */
  readonly at: number;
  readonly serviceName: string;
}

/** The configured app base URL (APP_BASE_URL) is not an absolute http(s) URL: a deployment mistake. */
export class InvalidAppBaseUrlError extends Error {
  override readonly name = 'InvalidAppBaseUrlError';

  constructor() {
    super('The app base URL must be an absolute http(s) URL');
  }
}

/** `<appBaseUrl>?action=<action>#token=<token>`, keeping any query the base URL already has. */
export function actionLink(appBaseUrl: string, action: EmailAction, token: string): string {
  const url = URL.canParse(appBaseUrl) ? new URL(appBaseUrl) : undefined;
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') throw new InvalidAppBaseUrlError();
  url.searchParams.set('action', action);
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}

/** Asks the owner of `to` to confirm the address. */
export function verificationEmail({ to, link, expiresInSeconds, serviceName }: TokenEmailInput): EmailMessage {
  const service = oneLine(serviceName);
  const expiry = describeDuration(expiresInSeconds);
  return {
    to,
    subject: `Confirm your email address for ${service}`,
    text: [
      'Hello,',
      `Someone, hopefully you, created a ${service} account with this email address (${to}) or asked to confirm it.`,
      `To confirm that ${to} is your address, open this link:\n\n${link}`,
      `The link works once and expires in ${expiry}. Confirming changes nothing else on the account.`,
      'If this was not you, ignore this email: the address stays unconfirmed.',
      `— ${service}`,
    ].join('\n\n'),
    html: page([
      'Hello,',
      `Someone, hopefully you, created a ${escapeHtml(service)} account with this email address (${escapeHtml(to)}) or asked to confirm it.`,
      linkTo(link, `Confirm that ${escapeHtml(to)} is my address`),
      `The link works once and expires in ${expiry}. Confirming changes nothing else on the account.`,
      'If this was not you, ignore this email: the address stays unconfirmed.',
      `— ${escapeHtml(service)}`,
    ]),
  };
}

/** Offers the owner of `to` a new password; using the link signs the account out everywhere. */
export function passwordResetEmail({ to, link, expiresInSeconds, serviceName }: TokenEmailInput): EmailMessage {
  const service = oneLine(serviceName);
  const expiry = describeDuration(expiresInSeconds);
  return {
    to,
    subject: `Reset your ${service} password`,
    text: [
      'Hello,',
      `Someone asked to reset the password of the ${service} account ${to}.`,
      `To choose a new password, open this link:\n\n${link}`,
      `The link works once and expires in ${expiry}. Setting a new password signs the account out on every device.`,
      'If this was not you, ignore this email: your password stays as it is.',
      `— ${service}`,
    ].join('\n\n'),
    html: page([
      'Hello,',
      `Someone asked to reset the password of the ${escapeHtml(service)} account ${escapeHtml(to)}.`,
      linkTo(link, 'Choose a new password'),
      `The link works once and expires in ${expiry}. Setting a new password signs the account out on every device.`,
      'If this was not you, ignore this email: your password stays as it is.',
      `— ${escapeHtml(service)}`,
    ]),
  };
}

/** Tells the owner of `to` that its password changed (after a reset or a change); no link. */
export function passwordChangedEmail({ to, at, serviceName }: PasswordChangedInput): EmailMessage {
  const service = oneLine(serviceName);
  const when = formatUtc(at);
  const advice = `If this was not you, someone else knows your password or can read this mailbox: secure the mailbox, then use "Forgot password" on the ${service} sign-in page to choose a new password.`;
  return {
    to,
    subject: `Your ${service} password was changed`,
    text: [
      'Hello,',
      `The password of the ${service} account ${to} was changed on ${when}. Other devices signed in to the account were signed out.`,
      'If you made this change, there is nothing to do.',
      advice,
      `— ${service}`,
    ].join('\n\n'),
    html: page([
      'Hello,',
      `The password of the ${escapeHtml(service)} account ${escapeHtml(to)} was changed on ${when}. Other devices signed in to the account were signed out.`,
      'If you made this change, there is nothing to do.',
      escapeHtml(advice),
      `— ${escapeHtml(service)}`,
    ]),
  };
}

/** What a factor notice reports (lib/reauth/factor-change.ts). */
export type FactorNoticeKind = 'totp_enabled' | 'totp_disabled' | 'recovery_codes_replaced' | 'passkey_added' | 'passkey_removed';

export interface FactorNoticeInput {
  readonly to: string;
  /** Built with `actionLink(…, 'report-factor', …)`. */
  readonly link: string;
  readonly change: FactorNoticeKind;
  /** When the change was made, epoch ms. */
  readonly at: number;
  readonly expiresInSeconds: number;
  readonly serviceName: string;
}

/** Subject phrase, sentence, and what the link does, per change. Nothing the user typed (a passkey's name) goes in. */
const FACTOR_NOTICES: Record<FactorNoticeKind, { subject: string; happened: string; undo: string }> = {
  totp_enabled: { subject: 'Two-step verification was turned on', happened: 'two-step verification with an authenticator app was turned on', undo: 'turns that authenticator off and' },
  totp_disabled: { subject: 'Two-step verification was turned off', happened: 'two-step verification with an authenticator app was turned off', undo: 'cannot turn it back on, but' },
  recovery_codes_replaced: { subject: 'New recovery codes were created', happened: 'new recovery codes were created (the old ones no longer work)', undo: 'makes those new codes useless and' },
  passkey_added: { subject: 'A passkey was added', happened: 'a passkey was added', undo: 'removes that passkey and' },
  passkey_removed: { subject: 'A passkey was removed', happened: 'a passkey was removed', undo: 'cannot bring it back, but' },
};

/**
 * Tells the owner of `to` that a second factor was added or removed, with one "this wasn't me"
 * link that undoes the change where it can and signs the account out on every device.
 */
export function factorNoticeEmail({ to, link, change, at, expiresInSeconds, serviceName }: FactorNoticeInput): EmailMessage {
  const service = oneLine(serviceName);
  const notice = FACTOR_NOTICES[change];
  const happened = `On ${formatUtc(at)}, ${notice.happened} for the ${service} account ${to}.`;
  const consequence = `The link ${notice.undo} signs the account out on every device. It works once and expires in ${describeDuration(expiresInSeconds)}.`;
  const advice = `Then choose a new password with "Forgot password" on the ${service} sign-in page: whoever did this knew your password or was signed in.`;
  return {
    to,
    subject: `${notice.subject} on your ${service} account`,
    text: ['Hello,', happened, 'If you made this change, there is nothing to do.', `If this was not you, open this link:\n\n${link}`, consequence, advice, `— ${service}`].join('\n\n'),
    html: page([
      'Hello,',
      escapeHtml(happened),
      'If you made this change, there is nothing to do.',
      linkTo(link, "This wasn't me"),
      escapeHtml(consequence),
      escapeHtml(advice),
      `— ${escapeHtml(service)}`,
    ]),
  };
}

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A link that opens a new tab: a web inbox shows a message in a frame, where the app page refuses to load. */
const linkTo = (href: string, escapedText: string): string => `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapedText}</a>`;

/** Paragraphs that are already escaped. */
const page = (paragraphs: string[]): string =>
  `<!doctype html><html><body>${paragraphs.map((paragraph) => `<p>${paragraph}</p>`).join('')}</body></html>`;

/** A subject is a single header line. */
const oneLine = (value: string): string => value.replace(/[\r\n\t]+/g, ' ').trim();

const UNITS: [seconds: number, name: string][] = [
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** "24 hours", "90 minutes": the largest unit that counts the duration exactly. */
export function describeDuration(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const [size, name] = UNITS.find(([size]) => whole >= size && whole % size === 0) ?? [1, 'second'];
  const count = whole / size;
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}

/** "2026-01-01 12:30 UTC" */
const formatUtc = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
