import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { call } from '../support/http';
import { tokenOfLink } from '../support/inbox';
import {
  answerIn,
  confirmIfAsked,
  emailLink,
  expectInView,
  launchChromium,
  logInThroughPage,
  openDemo,
  registerThroughPage,
  startAccountServer,
  totpCode,
  totpStep,
  virtualAuthenticator,
  waitFor,
} from './demo-page';

// The demo page and the service's rules for sensitive changes (API-CONTRACT.md, "Re-authentication
// and factor notices"), in Chromium on a phone-sized window: a sign-in older than
// REAUTH_MAX_AGE_SECONDS (3 s here) makes a sensitive change answer reauthentication_required, and
// the page asks for a proof right below the refused form, then makes the change; factors need a
// verified email; a factor notice's "this wasn't me" link; TOTP turned off with a recovery code.

const REAUTH_MAX_AGE_SECONDS = 3;
const PHONE = { width: 390, height: 844 };

let server: Awaited<ReturnType<typeof startAccountServer>>;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  server = await startAccountServer({ REAUTH_MAX_AGE_SECONDS: String(REAUTH_MAX_AGE_SECONDS) });
  const warm = uniqueEmail('warm');
  await call(server.baseUrl, 'GET', '/demo/app.js');
  await call(server.baseUrl, 'POST', '/auth/register', { json: { email: warm, password: PASSWORD } });
  const login = await call(server.baseUrl, 'POST', '/auth/login', { json: { email: warm, password: PASSWORD } });
  const auth = { headers: { Authorization: `Bearer ${login.body.access_token}` } };
  await Promise.all([call(server.baseUrl, 'GET', '/me', auth), call(server.baseUrl, 'GET', '/auth/sessions', auth), call(server.baseUrl, 'GET', '/auth/passkeys', auth)]);
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: PHONE });
  context.setDefaultTimeout(45_000);
});
afterEach(() => context?.close());

/** Long enough for the page's sign-in to count as old. */
const outlastSignIn = () => new Promise((resolve) => setTimeout(resolve, (REAUTH_MAX_AGE_SECONDS + 1) * 1000));

async function verifiedAccount(): Promise<string> {
  const email = uniqueEmail('reauth');
  expect((await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
  const token = tokenOfLink(await emailLink(email, 'verify-email'));
  expect((await call(server.baseUrl, 'POST', '/auth/email/verify', { json: { token } })).status).toBe(204);
  return email;
}

async function signedInPage(email: string): Promise<Page> {
  const page = await openDemo(context, server.pageUrl);
  await logInThroughPage(page, email, PASSWORD);
  await waitFor(page, '#signed-in:not([hidden]) #mfa-state:not([data-enabled="unknown"])');
  return page;
}

/** Turns TOTP on through the page (confirming who it is when asked); returns the secret and the recovery codes. */
async function turnOnTotp(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.locator('#totp-setup').click();
  await confirmIfAsked(page, '#totp-setup-feedback', { password: PASSWORD });
  await waitFor(page, '#totp-enrol:not([hidden])');
  const secret = (await page.locator('#totp-secret').textContent())!;
  await page.locator('#totp-confirm-code').fill(totpCode(secret, totpStep()));
  await page.locator('#totp-confirm-submit').click();
  await confirmIfAsked(page, '#totp-feedback', { password: PASSWORD });
  await waitFor(page, '#recovery-code-list li');
  const recoveryCodes = await page.locator('#recovery-code-list li').allTextContents();
  await page.locator('#recovery-codes-done').click();
  return { secret, recoveryCodes };
}

describe('demo page: re-authentication and factor notices (needs the service rules of API-CONTRACT.md "Re-authentication and factor notices")', () => {
  it('before the email is verified, adding TOTP or a passkey says to verify it first (403 email_not_verified), and no passkey is created', async () => {
    const page = await openDemo(context, server.pageUrl);
    const authenticator = await virtualAuthenticator(context, page);
    await registerThroughPage(page, uniqueEmail('unverified'), PASSWORD);
    expect(await page.locator('#factor-hint').isVisible()).toBe(true);

    await page.locator('#totp-setup').click();
    const totp = await answerIn(page, '#totp-setup-feedback');
    expect(totp).toEqual({ text: expect.stringMatching(/^Verify your email first/), code: 'email_not_verified', kind: 'error' });
    expect(await page.locator('#totp-enrol').isHidden()).toBe(true);

    await page.locator('#passkey-name').fill('Phone');
    await page.locator('#add-passkey-submit').click();
    expect(await answerIn(page, '#add-passkey-feedback')).toEqual({ text: expect.stringMatching(/^Verify your email first/), code: 'email_not_verified', kind: 'error' });
    expect(await authenticator.credentialCount()).toBe(0);
  });

  it('an old sign-in: the page asks for the password right below the refused button, says a wrong one, then makes the change; Cancel changes nothing', async () => {
    const page = await signedInPage(await verifiedAccount());
    await outlastSignIn();

    await page.locator('#totp-setup').click();
    await waitFor(page, '#reauth:not([hidden])');
    await expectInView(page, '#reauth');
    expect(await page.evaluate("document.getElementById('totp-setup-actions').nextElementSibling.id")).toBe('reauth');
    expect(await page.locator('#reauth-code').isVisible()).toBe(false);
    expect(await page.locator('#reauth-reason').textContent()).toBe('To make this change, confirm it is you with your password.');

    await page.locator('#reauth-password').fill('not my password');
    await page.locator('#reauth-submit').click();
    expect(await answerIn(page, '#reauth-feedback')).toEqual({ text: 'That password is not right.', code: 'invalid_credentials', kind: 'error' });

    await page.locator('#reauth-password').fill(PASSWORD);
    await page.locator('#reauth-submit').click();
    await waitFor(page, '#totp-enrol:not([hidden])');
    expect(await page.locator('#reauth').isHidden()).toBe(true);
    await answerIn(page, '#totp-setup-feedback');

    await outlastSignIn();
    await page.locator('#totp-setup').click();
    await waitFor(page, '#reauth:not([hidden])');
    await page.locator('#reauth-cancel').click();
    expect(await answerIn(page, '#totp-setup-feedback')).toEqual({ text: 'Cancelled: nothing was changed.', code: null, kind: 'info' });
  });

  it('with TOTP on it asks for a code too; adding a passkey needs the second factor; a passkey re-authenticates to remove it', async () => {
    const page = await signedInPage(await verifiedAccount());
    await virtualAuthenticator(context, page);
    const { recoveryCodes } = await turnOnTotp(page);
    await outlastSignIn();

    await page.locator('#passkey-name').fill('Phone');
    await page.locator('#add-passkey-submit').click();
    await waitFor(page, '#reauth:not([hidden])');
    await expectInView(page, '#reauth');
    expect(await page.locator('#reauth-reason').textContent()).toBe('To make this change, confirm it is you with your password and a code from your authenticator app.');
    expect(await page.locator('#reauth-code').getAttribute('inputmode')).toBe('numeric');
    await page.locator('#reauth-password').fill(PASSWORD);
    await page.locator('#reauth-use-recovery').check();
    expect(await page.locator('#reauth-code').getAttribute('inputmode')).toBe('text');
    await page.locator('#reauth-code').fill(recoveryCodes[0]!);
    await page.locator('#reauth-submit').click();
    expect((await answerIn(page, '#add-passkey-feedback')).text).toBe('Passkey Phone added.');

    await outlastSignIn();
    await page.getByRole('button', { name: 'Remove the passkey Phone' }).click();
    await waitFor(page, '#reauth:not([hidden])');
    await page.locator('#reauth-passkey').click();
    expect((await answerIn(page, '#passkeys-feedback')).text).toBe('Passkey Phone removed.');
  });

  it('turns TOTP off with a recovery code when the app is lost', async () => {
    const page = await signedInPage(await verifiedAccount());
    const { recoveryCodes } = await turnOnTotp(page);

    await page.locator('#totp-disable-password').fill(PASSWORD);
    await page.locator('#totp-disable-use-recovery').check();
    expect(await page.locator('#totp-disable-code').getAttribute('inputmode')).toBe('text');
    await page.locator('#totp-disable-code').fill(recoveryCodes[5]!);
    await page.locator('#totp-disable-submit').click();
    await confirmIfAsked(page, '#totp-feedback', { password: PASSWORD, recoveryCodes: recoveryCodes.slice(6) });
    expect((await answerIn(page, '#totp-feedback')).text).toBe('Two-factor authentication is off.');
    await waitFor(page, '#mfa-state[data-enabled="false"]');
  });

  it('a factor notice\'s "this wasn\'t me" link removes the factor and signs out everywhere; opened again it says so', async () => {
    const email = await verifiedAccount();
    const page = await signedInPage(email);
    const enrolledAt = Date.now();
    await turnOnTotp(page);

    const link = await emailLink(email, 'report-factor', enrolledAt);
    expect(link.startsWith(`${server.pageUrl}?action=report-factor#token=`)).toBe(true);
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect(page.url()).toBe(server.pageUrl);
    expect((await answerIn(page, '#status')).text).toMatch(/^Thank you: that sign-in method was removed, and every session of the account was signed out/);
    expect(await page.locator('#signed-out').isVisible()).toBe(true);

    // TOTP is gone: the password alone signs in again.
    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#signed-in:not([hidden]) #mfa-state[data-enabled="false"]');

    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect((await answerIn(page, '#status')).text).toMatch(/^You already reported this/);

    const other = await openDemo(await browser.newContext({ viewport: PHONE }), link);
    expect(await answerIn(other, '#status')).toEqual({ text: expect.stringMatching(/^This link was already used or has expired/), code: 'invalid_one_time_token', kind: 'error' });
    await other.context().close();
  });
});
