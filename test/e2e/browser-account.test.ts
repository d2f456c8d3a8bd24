import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { call } from '../support/http';
import { resetEmailFor } from '../support/e2e-accounts';
import {
  emailLink,
  launchChromium,
  logInThroughPage,
  logOutThroughPage,
  openDemo,
  registerThroughPage,
  startAccountServer,
  totpCode,
  totpStep,
  verifyEmailThroughInbox,
  virtualAuthenticator,
  waitFor,
} from './demo-page';

// The account flows of the demo page in Debian's Chromium: the email links read from the local
// SES emulator's inbox (global setup starts it and sets TEST_SES_ENDPOINT), TOTP with codes
// computed here, and a passkey on a CDP virtual authenticator. Each test has its own account and
// browser context. Second factors are added only after the email is verified, as the service
// requires.

const NEW_PASSWORD = 'a brand new passphrase';

const statusOf = (page: Page) => page.locator('#status').textContent();

let server: Awaited<ReturnType<typeof startAccountServer>>;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  server = await startAccountServer();
  // Cold starts of the functions the page uses, before any test's clock runs.
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
  context = await browser.newContext({ viewport: { width: 1000, height: 1400 } });
  context.setDefaultTimeout(45_000);
});
afterEach(() => context?.close());

describe('demo page: email, password, second factors', () => {
  it('treats a first visit as signed out: the refresh probe (401 invalid_refresh_token) shows and logs no error', async () => {
    const consoleErrors: string[] = [];
    const probe = context.waitForEvent('response', (response) => response.url().endsWith('/dev/auth/refresh'));

    const page = await openDemo(context, server.pageUrl, consoleErrors);

    const response = await probe;
    expect({ status: response.status(), body: await response.json() }).toEqual({ status: 401, body: { error: 'invalid_refresh_token', message: expect.any(String) } });
    expect(await page.locator('#signed-out').isVisible()).toBe(true);
    expect(await page.locator('#status').getAttribute('data-kind')).not.toBe('error');
    expect(await page.locator('#activity li[data-kind="error"]').count()).toBe(0);
    // Chromium reports every non-2xx fetch as "Failed to load resource"; the page itself logs nothing.
    expect(consoleErrors.filter((text) => !text.startsWith('Failed to load resource'))).toEqual([]);
  });

  it('register, then the verification link from the inbox: verified, the token gone from the address bar; opened again it says already verified', async () => {
    const email = uniqueEmail('verify');
    const page = await openDemo(context, server.pageUrl);
    await registerThroughPage(page, email, PASSWORD);
    expect(await page.locator('#email-status').getAttribute('data-verified')).toBe('false');
    expect(await statusOf(page)).toMatch(/Check your inbox/);

    const link = await emailLink(email, 'verify-email');
    expect(link.startsWith(`${server.pageUrl}?action=verify-email#token=`)).toBe(true);
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');

    expect(page.url()).toBe(server.pageUrl);
    expect(await statusOf(page)).toBe('Your email is verified.');
    await waitFor(page, '#email-status[data-verified="true"]');

    // This browser used the link: it says so without spending anything.
    const verifyCalls: string[] = [];
    page.on('request', (request) => request.url().endsWith('/auth/email/verify') && verifyCalls.push(request.url()));
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect(await statusOf(page)).toBe('Your email is already verified: this link was used before.');
    expect(verifyCalls).toEqual([]);

    // Another browser, signed out, cannot know: the service refuses the spent token, and the page says what that can mean.
    const other = await openDemo(await browser.newContext(), link);
    expect(await other.locator('#status').getAttribute('data-code')).toBe('invalid_one_time_token');
    expect(await statusOf(other)).toMatch(/^This verification link was already used, has expired, or a newer one replaced it/);
    // Signed in there, the account itself says the email is verified.
    await logInThroughPage(other, email, PASSWORD);
    await waitFor(other, '#signed-in:not([hidden])');
    await other.goto(link);
    await waitFor(other, 'main[data-ready="true"]');
    await waitFor(other, '#status:has-text("Your email is already verified.")');
    await other.context().close();
  });

  it('an email link opened from the local inbox (a frame) opens the page in a new tab, which verifies the email', async () => {
    const email = uniqueEmail('inbox');
    expect((await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    await emailLink(email, 'verify-email');
    const inbox = await context.newPage();
    await inbox.goto(`${process.env.TEST_SES_ENDPOINT}/`);
    const message = inbox.locator('.email', { hasText: email });
    await message.getByRole('button', { name: 'Toggle HTML view' }).click();

    const opened = context.waitForEvent('page');
    await message.frameLocator('iframe').getByRole('link').click();
    const page = await opened;

    await waitFor(page, 'main[data-ready="true"]');
    expect(page.url()).toBe(server.pageUrl);
    expect(await statusOf(page)).toBe('Your email is verified.');
  });

  it('forgot password, the reset link from the inbox, then a login with the new password; the used link says so when opened again', async () => {
    const email = uniqueEmail('reset');
    expect((await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const page = await openDemo(context, server.pageUrl);

    await page.locator('#forgot-toggle').click();
    expect(await page.locator('#forgot-toggle').getAttribute('aria-expanded')).toBe('true');
    await page.locator('#forgot-email').fill(email);
    const sentAt = Date.now();
    await page.locator('#forgot-submit').click();
    await waitFor(page, '#forgot-feedback:has-text("a reset link is on its way")');
    expect(await page.locator('#forgot').isHidden()).toBe(true);
    expect(await page.locator('#forgot-toggle').getAttribute('aria-expanded')).toBe('false');

    await resetEmailFor(server.baseUrl, email, sentAt);
    const link = await emailLink(email, 'reset-password', sentAt);
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect(page.url()).toBe(server.pageUrl);
    await page.locator('#reset-password').fill(NEW_PASSWORD);
    await page.locator('#reset-submit').click();
    await waitFor(page, '#status:has-text("Your password was changed")');
    expect(await page.locator('#reset').isHidden()).toBe(true);

    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#credentials-feedback[data-code="invalid_credentials"]');
    await logInThroughPage(page, email, NEW_PASSWORD);
    await waitFor(page, '#signed-in:not([hidden]) #email-status[data-verified="true"]');
    expect(await page.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);

    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect(await statusOf(page)).toBe('This reset link was already used. To change the password again, ask for a new link below.');
    expect(await page.locator('#reset').isHidden()).toBe(true);
  });

  it('TOTP (after verifying the email): enrols from the QR code and secret, then logs in with a code (after a wrong one) and with a recovery code', async () => {
    const email = uniqueEmail('totp');
    const page = await openDemo(context, server.pageUrl);
    await registerThroughPage(page, email, PASSWORD);
    await verifyEmailThroughInbox(page, email);

    await page.locator('#totp-setup').click();
    await waitFor(page, '#totp-enrol:not([hidden])');
    expect(await page.locator('#totp-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/i);
    const secret = (await page.locator('#totp-secret').textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const enrolStep = totpStep();
    await page.locator('#totp-confirm-code').fill(totpCode(secret, enrolStep));
    await page.locator('#totp-confirm-submit').click();
    await waitFor(page, '#recovery-codes:not([hidden]) #recovery-code-list li');
    const recoveryCodes = await page.locator('#recovery-code-list li').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await waitFor(page, '#mfa-state[data-enabled="true"]');
    expect(await page.locator('#totp-secret').textContent()).toBe('');

    await logOutThroughPage(page);
    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#mfa:not([hidden])');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
    expect(await page.locator('#mfa-code').getAttribute('inputmode')).toBe('numeric');
    await page.locator('#mfa-code').fill('000000' === totpCode(secret, totpStep()) ? '111111' : '000000');
    await page.locator('#mfa-submit').click();
    await waitFor(page, '#mfa-feedback[data-code="invalid_mfa_code"]');
    // A code is never accepted twice: a step after the one used to enrol, still inside the window.
    const step = Math.max(totpStep(), enrolStep + 1);
    await page.locator('#mfa-code').fill(totpCode(secret, step));
    await page.locator('#mfa-submit').click();
    await waitFor(page, '#signed-in:not([hidden]) #mfa-state[data-enabled="true"]');

    await logOutThroughPage(page);
    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#mfa:not([hidden])');
    await page.locator('#mfa-use-recovery').check();
    expect(await page.locator('#mfa-code').getAttribute('inputmode')).toBe('text');
    await page.locator('#mfa-code').fill(recoveryCodes[3]!);
    await page.locator('#mfa-submit').click();
    await waitFor(page, '#signed-in:not([hidden]) #mfa-state[data-enabled="true"]');
    expect(await page.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);
  });

  it('passkey (after verifying the email): added on the page with a virtual authenticator, then a login with it after logging out', async () => {
    const email = uniqueEmail('passkey');
    const page = await openDemo(context, server.pageUrl);
    await virtualAuthenticator(context, page);
    await registerThroughPage(page, email, PASSWORD);
    await verifyEmailThroughInbox(page, email);

    await page.locator('#passkey-name').fill('Virtual key');
    await page.locator('#add-passkey-submit').click();
    await waitFor(page, '#passkeys li');
    expect(await page.locator('#passkeys li').allTextContents()).toEqual([expect.stringMatching(/^Virtual key, added .*never used/)]);
    expect(await page.locator('#add-passkey-feedback').textContent()).toBe('Passkey Virtual key added.');

    await logOutThroughPage(page);
    await page.locator('#email').fill('');
    await page.locator('#passkey-login').click();
    await waitFor(page, '#signed-in:not([hidden]) #email-status:not([data-verified="unknown"])');
    expect(await statusOf(page)).toBe('Logged in with a passkey.');
    expect(await page.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);
  });

  it('changes the password, then deletes the account after the confirmation', async () => {
    const email = uniqueEmail('delete');
    const page = await openDemo(context, server.pageUrl);
    await registerThroughPage(page, email, PASSWORD);

    await page.locator('#current-password').fill(PASSWORD);
    await page.locator('#new-password').fill(NEW_PASSWORD);
    await page.locator('#change-password-submit').click();
    await waitFor(page, '#change-password-feedback:has-text("Password changed")');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('#delete-password').fill(NEW_PASSWORD);
    await page.locator('#delete-account-submit').click();
    await waitFor(page, '#signed-out:not([hidden])');
    expect(await statusOf(page)).toBe('Your account was deleted.');
    expect(await context.cookies()).toEqual([]);
    const login = await call(server.baseUrl, 'POST', '/auth/login', { json: { email, password: NEW_PASSWORD } });
    expect(login.body).toMatchObject({ error: 'invalid_credentials' });
  });
});
