import { createHmac } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureTables, LOCAL_AWS_ENV } from '../../scripts/dev/dynamodb-local';
import { startOffline, type OfflineServer } from '../../scripts/dev/offline';
import { freePort } from '../../scripts/dev/ports';
import { PASSWORD, testEnv, uniqueEmail } from '../support/fixtures';
import { call } from '../support/http';
import { launchChromium, openDemo, waitFor } from './demo-page';

// The account flows of the demo page in Debian's Chromium: the email links read from the local
// SES emulator's inbox (global setup starts it and sets TEST_SES_ENDPOINT), TOTP with codes
// computed here, and a passkey on a CDP virtual authenticator. Each test has its own account and
// browser context.

const NEW_PASSWORD = 'a brand new passphrase';

async function startAccountServer(): Promise<OfflineServer & { pageUrl: string }> {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
  const sesEndpoint = process.env.TEST_SES_ENDPOINT;
  if (!sesEndpoint) throw new Error('TEST_SES_ENDPOINT is not set: the jest global setup starts the local SES emulator');
  await ensureTables(endpoint, 'dev');
  const port = await freePort();
  // localhost, not 127.0.0.1: Chromium keeps a Secure cookie on http, and allows WebAuthn, only for localhost.
  const origin = `http://localhost:${port}`;
  const pageUrl = `${origin}/dev/demo`;
  const env = await testEnv({
    JWT_ISSUER: 'http://localhost:3000',
    JWT_AUDIENCE: 'jwt-auth',
    LOG_LEVEL: 'warn',
    LAMBDA_TIMEOUT_SECONDS: '30',
    CORS_ALLOWED_ORIGINS: origin,
    DYNAMODB_ENDPOINT: endpoint,
    SES_ENDPOINT: sesEndpoint,
    EMAIL_FROM: 'no-reply@example.com',
    APP_BASE_URL: pageUrl,
    WEBAUTHN_RP_ID: 'localhost',
    WEBAUTHN_ORIGINS: origin,
  });
  const server = await startOffline({ port, env: { ...LOCAL_AWS_ENV, ...(env as Record<string, string>) } });
  return { ...server, pageUrl };
}

// --- The inbox (the same names as test/support/inbox.ts, which can replace these two) ---

interface StoredEmail {
  readonly destination: unknown;
  readonly subject: string;
  readonly body: { readonly text?: string };
}

/** Polls the SES emulator's /store until an email to `to` whose text holds `containing` arrives; the newest such. */
async function waitForEmail(endpoint: string, { to, containing }: { to: string; containing: string }, timeoutMs = 20_000): Promise<StoredEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { emails } = (await (await fetch(`${endpoint}/store`)).json()) as { emails: StoredEmail[] };
    const match = emails.filter((email) => JSON.stringify(email.destination).includes(to) && (email.body.text ?? '').includes(containing)).at(-1);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`No email to ${to} containing ${containing} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The single link of an email's text part. */
function linkIn(email: StoredEmail): string {
  const links = (email.body.text ?? '').match(/https?:\/\/\S+/g) ?? [];
  if (links.length !== 1) throw new Error(`expected one link, found ${links.length}`);
  return links[0]!;
}

const emailLink = async (to: string, action: 'verify-email' | 'reset-password') =>
  linkIn(await waitForEmail(process.env.TEST_SES_ENDPOINT!, { to, containing: `?action=${action}#token=` }));

// --- TOTP, RFC 6238 (SHA-1, 6 digits, 30 s), independent of the server's library ---

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
}

const totpStep = (ms = Date.now()) => Math.floor(ms / 30_000);

function totpCode(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// --- The page ---

const statusOf = (page: Page) => page.locator('#status').textContent();

async function registerThroughPage(page: Page, email: string): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#register').click();
  await waitFor(page, '#signed-in:not([hidden]) #email-status:not([data-verified="unknown"])');
}

async function logInThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#login').click();
}

async function logOut(page: Page): Promise<void> {
  await page.locator('#logout').click();
  await waitFor(page, '#signed-out:not([hidden])');
}

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

  it('register, then the verification link from the inbox: the page shows the email verified and drops the token from the address bar', async () => {
    const email = uniqueEmail('verify');
    const page = await openDemo(context, server.pageUrl);
    await registerThroughPage(page, email);
    expect(await page.locator('#email-status').getAttribute('data-verified')).toBe('false');

    const link = await emailLink(email, 'verify-email');
    expect(link.startsWith(`${server.pageUrl}?action=verify-email#token=`)).toBe(true);
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');

    expect(page.url()).toBe(server.pageUrl);
    expect(await statusOf(page)).toBe('Your email is verified.');
    await waitFor(page, '#email-status[data-verified="true"]');

    // A used link is refused by name.
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect(await statusOf(page)).toMatch(/\(invalid_one_time_token\)$/);
  });

  it('forgot password, the reset link from the inbox, then a login with the new password', async () => {
    const email = uniqueEmail('reset');
    expect((await call(server.baseUrl, 'POST', '/auth/register', { json: { email, password: PASSWORD } })).status).toBe(201);
    const page = await openDemo(context, server.pageUrl);

    await page.locator('#forgot-toggle').click();
    await page.locator('#forgot-email').fill(email);
    await page.locator('#forgot-submit').click();
    await waitFor(page, '#status:has-text("a reset link is on its way")');

    const link = await emailLink(email, 'reset-password');
    await page.goto(link);
    await waitFor(page, 'main[data-ready="true"]');
    expect(page.url()).toBe(server.pageUrl);
    await page.locator('#reset-password').fill(NEW_PASSWORD);
    await page.locator('#reset-submit').click();
    await waitFor(page, '#status:has-text("Your password was changed")');

    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#status:has-text("(invalid_credentials)")');
    await logInThroughPage(page, email, NEW_PASSWORD);
    await waitFor(page, '#signed-in:not([hidden]) #email-status[data-verified="true"]');
    expect(await page.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);
  });

  it('TOTP: enrols from the QR code and secret, then logs in with a code (after a wrong one) and with a recovery code', async () => {
    const email = uniqueEmail('totp');
    const page = await openDemo(context, server.pageUrl);
    await registerThroughPage(page, email);

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

    await logOut(page);
    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#mfa:not([hidden])');
    expect(await page.locator('#signed-in').isHidden()).toBe(true);
    await page.locator('#mfa-code').fill('000000' === totpCode(secret, totpStep()) ? '111111' : '000000');
    await page.locator('#mfa-submit').click();
    await waitFor(page, '#status:has-text("(invalid_mfa_code)")');
    // A code is never accepted twice: a step after the one used to enrol, still inside the window.
    const step = Math.max(totpStep(), enrolStep + 1);
    await page.locator('#mfa-code').fill(totpCode(secret, step));
    await page.locator('#mfa-submit').click();
    await waitFor(page, '#signed-in:not([hidden]) #mfa-state[data-enabled="true"]');

    await logOut(page);
    await logInThroughPage(page, email, PASSWORD);
    await waitFor(page, '#mfa:not([hidden])');
    await page.locator('#mfa-use-recovery').check();
    await page.locator('#mfa-code').fill(recoveryCodes[3]!);
    await page.locator('#mfa-submit').click();
    await waitFor(page, '#signed-in:not([hidden]) #mfa-state[data-enabled="true"]');
    expect(await page.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);
  });

  it('passkey: added on the page with a virtual authenticator, then a login with it after logging out', async () => {
    const email = uniqueEmail('passkey');
    const page = await openDemo(context, server.pageUrl);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await registerThroughPage(page, email);

    await page.locator('#passkey-name').fill('Virtual key');
    await page.locator('#add-passkey-submit').click();
    await waitFor(page, '#passkeys li');
    expect(await page.locator('#passkeys li').allTextContents()).toEqual([expect.stringMatching(/^Virtual key, added .*never used/)]);

    await logOut(page);
    await page.locator('#email').fill('');
    await page.locator('#passkey-login').click();
    await waitFor(page, '#signed-in:not([hidden]) #email-status:not([data-verified="unknown"])');
    expect(await statusOf(page)).toBe('Logged in with a passkey.');
    expect(await page.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);
  });

  it('changes the password, then deletes the account after the confirmation', async () => {
    const email = uniqueEmail('delete');
    const page = await openDemo(context, server.pageUrl);
    await registerThroughPage(page, email);

    await page.locator('#current-password').fill(PASSWORD);
    await page.locator('#new-password').fill(NEW_PASSWORD);
    await page.locator('#change-password-submit').click();
    await waitFor(page, '#status:has-text("Password changed")');

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
