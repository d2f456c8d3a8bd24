import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { call } from '../support/http';
import { tokenOfLink } from '../support/inbox';
import { resetEmailFor } from '../support/e2e-accounts';
import {
  answerIn,
  confirmIfAsked,
  emailLink,
  expectInView,
  expectNoSidewaysScroll,
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

// A person's walk through the demo page in Chromium, on a phone (390 px wide) and on a laptop
// (1100 px), through the page's own buttons: after each action its answer is in view, next to the
// form, and nothing scrolls sideways (also at 360 px). Screenshots of what the window shows go to
// $TMPDIR/auth-demo-walk/ (overwritten each run).
//
// Sensitive changes may answer reauthentication_required (adding a passkey to an account with TOTP
// needs a proof with a factor); `confirmIfAsked` then answers the page's re-authentication form,
// whose own test is test/e2e/browser-reauth.test.ts.

const SHOTS = join(tmpdir(), 'auth-demo-walk');
const NEW_PASSWORD = 'a brand new passphrase';
const SIZES = [
  { width: 390, height: 844 },
  { width: 1100, height: 900 },
];

let server: Awaited<ReturnType<typeof startAccountServer>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
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
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

async function newContext(size: { width: number; height: number }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: size });
  context.setDefaultTimeout(45_000);
  contexts.push(context);
  return context;
}

/** What the window shows, as a PNG under $TMPDIR/auth-demo-walk/. */
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${page.viewportSize()!.width}-${name}.png`) });

/** An account made over HTTP, with its email verified through the link it was sent. */
async function verifiedAccount(email: string): Promise<string> {
  expect((await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
  const token = tokenOfLink(await emailLink(email, 'verify-email'));
  expect((await call(server.baseUrl, 'POST', '/auth/email/verify', { json: { token } })).status).toBe(204);
  return email;
}

describe.each(SIZES)('the demo page at $width px', (size) => {
  it('signed out: "Forgot password?" opens and closes its form, a lockout says how long to wait, a cancelled passkey and an IP address are explained', async () => {
    const context = await newContext(size);
    const page = await openDemo(context, server.pageUrl);
    await expectNoSidewaysScroll(page, 'signed out');
    await shot(page, '01-signed-out');

    const toggle = page.locator('#forgot-toggle');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await toggle.click();
    expect({ expanded: await toggle.getAttribute('aria-expanded'), hidden: await page.locator('#forgot').isHidden() }).toEqual({ expanded: 'false', hidden: true });
    await toggle.click();
    await page.locator('#forgot-email').fill('someone@example.com');
    await page.locator('#forgot-submit').click();
    expect((await answerIn(page, '#forgot-feedback')).text).toMatch(/^If an account exists for someone@example.com, a reset link is on its way/);
    expect({ expanded: await toggle.getAttribute('aria-expanded'), hidden: await page.locator('#forgot').isHidden() }).toEqual({ expanded: 'false', hidden: true });

    // Wrong passwords until the account is throttled: the message names the wait from Retry-After.
    const email = uniqueEmail('lockout');
    expect((await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    let locked: { answer: unknown; retryAfter: string | null } | undefined;
    for (let attempt = 1; locked === undefined && attempt <= 10; attempt++) {
      const answered = page.waitForResponse((response) => response.url().endsWith('/dev/auth/login'));
      await logInThroughPage(page, email, `wrong password ${attempt}`);
      const response = await answered;
      await waitFor(page, '#credentials-feedback[data-code]');
      const answer = await answerIn(page, '#credentials-feedback');
      if (response.status() === 429) locked = { answer, retryAfter: await response.headerValue('retry-after') };
      else expect(answer).toEqual({ text: 'The email or password is not right.', code: 'invalid_credentials', kind: 'error' });
      await page.evaluate("document.getElementById('credentials-feedback').removeAttribute('data-code')");
    }
    const minutes = Math.ceil(Number(locked?.retryAfter) / 60);
    expect(locked?.answer).toEqual({ text: `Too many attempts. Try again in ${minutes} minutes.`, code: 'too_many_attempts', kind: 'error' });
    await shot(page, '02-lockout');

    // A passkey dialog that finds no passkey on this device.
    await virtualAuthenticator(context, page);
    await page.locator('#email').fill('');
    await page.locator('#passkey-login').click();
    expect((await answerIn(page, '#credentials-feedback')).text).toBe(
      'No passkey was used: the dialog was cancelled or timed out, or this device has no passkey for this site.',
    );

    // The same page at an IP address: the page says where to go instead, before any ceremony.
    const atIp = await openDemo(context, server.pageUrl.replace('localhost', '127.0.0.1'));
    await expectInView(atIp, '#address-notice');
    expect(await atIp.locator('#address-notice a').getAttribute('href')).toBe(server.pageUrl);
    await atIp.locator('#passkey-login').click();
    expect((await answerIn(atIp, '#credentials-feedback')).text).toBe(`Passkeys need a host name, not an IP address: open ${server.pageUrl} instead.`);
    await expectNoSidewaysScroll(atIp, 'at an IP address');
  });

  it('register, verify, second factors: each answer in view, the email wraps, devices by name, recovery codes in two columns, the passkey name checked first', async () => {
    const context = await newContext(size);
    const page = await openDemo(context, server.pageUrl);
    const authenticator = await virtualAuthenticator(context, page);
    const email = `a-rather-long-address-for-a-phone-${uniqueEmail('walk')}`;

    await registerThroughPage(page, email, PASSWORD);
    expect((await answerIn(page, '#status')).text).toBe(`Account created and signed in. Check your inbox: we sent a link to verify ${email}.`);
    expect(await page.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);
    await expectNoSidewaysScroll(page, 'signed in');
    await shot(page, '03-registered');

    // The session list: a short device name, and no column cut off or scrolled.
    await waitFor(page, '#sessions tr');
    expect(await page.locator('#sessions td.device').allTextContents()).toEqual(['Chrome on Linux']);
    expect(await page.evaluate("(() => { const wrap = document.querySelector('.table-wrap'); return wrap.scrollWidth <= wrap.clientWidth; })()")).toBe(true);
    await page.locator('#sessions tr').scrollIntoViewIfNeeded();
    await expectInView(page, '#sessions tr');
    await shot(page, '04-sessions');

    await page.locator('#current-password').fill('not my password');
    await page.locator('#new-password').fill(NEW_PASSWORD);
    await page.locator('#change-password-submit').click();
    expect(await answerIn(page, '#change-password-feedback')).toEqual({ text: 'That password is not right.', code: 'invalid_credentials', kind: 'error' });

    // The verification link, twice.
    const link = await emailLink(email, 'verify-email');
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect((await answerIn(page, '#status')).text).toBe('Your email is verified.');
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect((await answerIn(page, '#status')).text).toBe('Your email is already verified: this link was used before.');
    await waitFor(page, '#email-status[data-verified="true"]');

    // TOTP: the QR code, then the recovery codes in two separate columns.
    await page.locator('#totp-setup').click();
    await confirmIfAsked(page, '#totp-setup-feedback', { password: PASSWORD });
    await answerIn(page, '#totp-setup-feedback');
    const secret = (await page.locator('#totp-secret').textContent())!;
    await page.locator('#totp-confirm-code').fill(totpCode(secret, totpStep()));
    await page.locator('#totp-confirm-submit').click();
    await confirmIfAsked(page, '#totp-feedback', { password: PASSWORD });
    expect((await answerIn(page, '#totp-feedback')).text).toBe('Two-factor authentication is on. Save your recovery codes below.');
    await waitFor(page, '#recovery-code-list li');
    const recoveryCodes = await page.locator('#recovery-code-list li').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await page.locator('#recovery-codes').scrollIntoViewIfNeeded();
    const boxes = await Promise.all((await page.locator('#recovery-code-list li').all()).map(async (item) => (await item.boundingBox())!));
    const columns = [...new Set(boxes.map((box) => Math.round(box.x)))].sort((a, b) => a - b);
    expect(columns).toHaveLength(2);
    const leftWidest = Math.max(...boxes.filter((box) => Math.round(box.x) === columns[0]).map((box) => box.x + box.width));
    expect(columns[1]! - leftWidest).toBeGreaterThanOrEqual(8);
    expect(Math.max(...boxes.map((box) => box.x + box.width))).toBeLessThanOrEqual(size.width);
    await expectNoSidewaysScroll(page, 'recovery codes');
    await shot(page, '05-recovery-codes');
    await page.locator('#recovery-codes-done').click();

    // Passkeys: a name the service would refuse never reaches the ceremony.
    const optionRequests: string[] = [];
    page.on('request', (request) => request.url().endsWith('/auth/passkeys/register/options') && optionRequests.push(request.url()));
    await page.locator('#passkey-name').fill('x'.repeat(65));
    await page.locator('#add-passkey-submit').click();
    const tooLong = await answerIn(page, '#add-passkey-feedback');
    expect({ code: tooLong.code, text: tooLong.text }).toEqual({ code: 'invalid_request', text: 'A passkey name can have at most 64 characters; this one has 65.' });
    expect({ requests: optionRequests.length, credentials: await authenticator.credentialCount() }).toEqual({ requests: 0, credentials: 0 });

    const proof = { password: PASSWORD, recoveryCodes: recoveryCodes.slice() };
    await page.locator('#passkey-name').fill('Phone');
    await page.locator('#add-passkey-submit').click();
    await confirmIfAsked(page, '#add-passkey-feedback', proof);
    expect((await answerIn(page, '#add-passkey-feedback')).text).toBe('Passkey Phone added.');
    expect(await authenticator.credentialCount()).toBe(1);

    await page.locator('#passkey-name').fill('Phone again');
    await page.locator('#add-passkey-submit').click();
    await confirmIfAsked(page, '#add-passkey-feedback', proof);
    expect((await answerIn(page, '#add-passkey-feedback')).text).toBe('This device already holds a passkey for this account: use that one, or add one on another device.');
    expect(await authenticator.credentialCount()).toBe(1);
    await shot(page, '06-passkeys');

    await page.getByRole('button', { name: 'Remove the passkey Phone' }).click();
    await confirmIfAsked(page, '#passkeys-feedback', proof);
    expect((await answerIn(page, '#passkeys-feedback')).text).toBe('Passkey Phone removed.');
    await expectNoSidewaysScroll(page, 'passkeys');
  });

  it('another device notices an ended session and a deleted account on its next call, and signs out with a sentence', async () => {
    const email = await verifiedAccount(uniqueEmail('devices'));
    const [pageA, pageB] = await Promise.all([newContext(size), newContext(size)].map(async (context) => openDemo(await context, server.pageUrl)));
    for (const page of [pageA, pageB]) {
      await logInThroughPage(page, email, PASSWORD);
      await waitFor(page, '#signed-in:not([hidden]) #sessions tr');
    }

    await pageA.locator('#reload-sessions').click();
    await waitFor(pageA, '#sessions tr:nth-child(2)');
    await pageA.locator('#sessions tr:not(:has(.badge))').getByRole('button', { name: /^End the session/ }).click();
    expect((await answerIn(pageA, '#sessions-feedback')).text).toBe('Session ended: that device is signed out at its next refresh.');

    await pageB.locator('#reload-sessions').click();
    await waitFor(pageB, '#signed-out:not([hidden])');
    expect(await answerIn(pageB, '#status')).toEqual({
      text: 'You were signed out: this session was ended on another device, by a password change or reset, or it expired. Log in again.',
      code: 'invalid_refresh_token',
      kind: 'error',
    });
    await expectNoSidewaysScroll(pageB, 'signed out by another device');
    await shot(pageB, '07-session-ended-elsewhere');

    await logInThroughPage(pageB, email, PASSWORD);
    await waitFor(pageB, '#signed-in:not([hidden]) #sessions tr');
    pageA.once('dialog', (dialog) => void dialog.accept());
    await pageA.locator('#delete-password').fill(PASSWORD);
    await pageA.locator('#delete-account-submit').click();
    await waitFor(pageA, '#signed-out:not([hidden])');
    expect((await answerIn(pageA, '#status')).text).toBe('Your account was deleted.');

    await pageB.getByRole('button', { name: 'Call /me' }).click();
    await waitFor(pageB, '#signed-out:not([hidden])');
    expect(await answerIn(pageB, '#status')).toEqual({
      text: 'You were signed out: this account no longer exists (it was deleted, perhaps on another device).',
      code: 'not_found',
      kind: 'error',
    });
    await shot(pageB, '08-account-deleted-elsewhere');
  });

  it('a reset link: the form goes after a sign-in, a used link says so when opened, a refused one takes the form away', async () => {
    const email = await verifiedAccount(uniqueEmail('reset'));
    const sentAt = Date.now();
    expect((await call(server.baseUrl, 'POST', '/auth/password/forgot', { json: { email } })).status).toBe(202);
    await resetEmailFor(server.baseUrl, email, sentAt);
    const link = await emailLink(email, 'reset-password', sentAt);
    const page = await openDemo(await newContext(size), link);

    // The person remembers the password after all and logs in: the reset form goes.
    await expectInView(page, '#reset-password');
    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#signed-in:not([hidden])');
    expect(await page.locator('#reset').isHidden()).toBe(true);

    // The link again: the form, then the new password.
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    await page.locator('#reset-password').fill(NEW_PASSWORD);
    await page.locator('#reset-submit').click();
    await answerIn(page, '#status', 'Your password was changed, and every session of the account was signed out. Log in with the new one.');
    expect(await page.locator('#reset').isHidden()).toBe(true);
    await shot(page, '09-password-reset');

    // Used in this browser: said at once, no form.
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect((await answerIn(page, '#status')).text).toBe('This reset link was already used. To change the password again, ask for a new link below.');
    expect(await page.locator('#reset').isHidden()).toBe(true);
    expect(await page.locator('#forgot-toggle').getAttribute('aria-expanded')).toBe('true');

    // Another browser cannot know until the service refuses it: then the form goes, and a new link is offered.
    const other = await openDemo(await newContext(size), link);
    await other.locator('#reset-password').fill('yet another passphrase');
    await other.locator('#reset-submit').click();
    const refusal = 'This reset link was already used, has expired, or a newer one replaced it. Ask for a new one below.';
    expect(await answerIn(other, '#status', refusal)).toEqual({
      text: refusal,
      code: 'invalid_one_time_token',
      kind: 'error',
    });
    expect(await other.locator('#reset').isHidden()).toBe(true);
    expect(await other.locator('#forgot').isVisible()).toBe(true);
    await expectNoSidewaysScroll(other, 'refused reset link');
  });
});

it('nothing scrolls sideways at 360 px, signed in with TOTP on and the recovery codes shown', async () => {
  const email = await verifiedAccount(`a-rather-long-address-for-a-small-phone-${uniqueEmail('narrow')}`);
  const page = await openDemo(await newContext({ width: 360, height: 740 }), server.pageUrl);
  await logInThroughPage(page, email, PASSWORD);
  await waitFor(page, '#signed-in:not([hidden]) #sessions tr');
  await expectNoSidewaysScroll(page, 'signed in at 360 px');
  await page.getByRole('button', { name: 'Call /me' }).click();
  await waitFor(page, '#me-output[data-status="200"]');
  await page.locator('#totp-setup').click();
  await waitFor(page, '#totp-enrol:not([hidden])');
  await expectNoSidewaysScroll(page, 'TOTP secret at 360 px');
  await page.locator('#totp-confirm-code').fill(totpCode((await page.locator('#totp-secret').textContent())!, totpStep()));
  await page.locator('#totp-confirm-submit').click();
  await waitFor(page, '#recovery-code-list li');
  await expectNoSidewaysScroll(page, 'recovery codes at 360 px');
  await shot(page, '10-narrow');
});
