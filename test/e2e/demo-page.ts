import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureTables, LOCAL_AWS_ENV } from '../../scripts/dev/dynamodb-local';
import { startOffline, type OfflineServer } from '../../scripts/dev/offline';
import { freePort } from '../../scripts/dev/ports';
import { testEnv } from '../support/fixtures';
import { linkIn, readInbox } from '../support/inbox';

// What the browser tests share: Debian's Chromium, driven by playwright-core (which never downloads
// a browser), a server for the page, its test hooks, the local inbox and TOTP codes. Code that runs
// in the page is passed as strings (the tests are type-checked without DOM types), and waits use
// selectors: the page's CSP forbids the eval that string predicates need.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * serverless-offline for the account flows of the page: emails to the local SES emulator (the
 * jest global setup starts it), links that open the page, passkeys for localhost.
 */
export async function startAccountServer(overrides: Record<string, string> = {}): Promise<OfflineServer & { pageUrl: string; origin: string }> {
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
    ...overrides,
  });
  const server = await startOffline({ port, env: { ...LOCAL_AWS_ENV, ...(env as Record<string, string>) } });
  return { ...server, pageUrl, origin };
}

/** Headless Chromium, or an error that says how to install it. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** waitForSelector that, on a timeout, says what the page showed (status line and activity list). */
export async function waitFor(page: Page, selector: string, state: 'visible' | 'hidden' = 'visible'): Promise<void> {
  try {
    await page.waitForSelector(selector, { state });
  } catch (error) {
    const [status, activity] = await Promise.all([page.locator('#status').textContent(), page.locator('#activity').innerText()]);
    throw new Error(`${(error as Error).message}\nstatus: ${status}\nactivity:\n${activity}`);
  }
}

/** The demo page, loaded and done with its attempt to resume a session; `consoleErrors` collects what the page logs as errors. */
export async function openDemo(context: BrowserContext, url: string, consoleErrors: string[] = []): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(url);
  await waitFor(page, 'main[data-ready="true"]');
  return page;
}

// --- The local inbox (the SES emulator's /store) ---

/** The newest link of `action` (`?action=<action>#token=`) in an email to `to`, waiting for it to arrive. */
export async function emailLink(to: string, action: 'verify-email' | 'reset-password' | 'report-factor', after?: number): Promise<string> {
  const endpoint = process.env.TEST_SES_ENDPOINT;
  if (!endpoint) throw new Error('TEST_SES_ENDPOINT is not set: the jest global setup starts the local SES emulator');
  const marker = `?action=${action}#token=`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await readInbox(endpoint))
      .filter((email) => email.destination.to.includes(to) && (email.body.text ?? '').includes(marker) && (after === undefined || email.at >= Math.floor(after / 1000)))
      .at(-1);
    if (found) return linkIn(found);
    if (Date.now() > deadline) throw new Error(`No email to ${to} with a ${action} link within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// --- TOTP, RFC 6238 (SHA-1, 6 digits, 30 s), independent of the server's library ---

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
}

export const totpStep = (ms = Date.now()) => Math.floor(ms / 30_000);

export function totpCode(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// --- Layout: what a person sees ---

/** Nothing scrolls sideways: the page is no wider than the window. */
export async function expectNoSidewaysScroll(page: Page, where: string): Promise<void> {
  const [scrollWidth, innerWidth] = (await page.evaluate('[document.scrollingElement.scrollWidth, innerWidth]')) as [number, number];
  expect({ where, scrollWidth: Math.min(scrollWidth, innerWidth) }).toEqual({ where, scrollWidth });
}

/** The element is wholly inside the window (to the pixel: layout positions are fractional), where the person is looking. */
export async function expectInView(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  const { width, height } = page.viewportSize()!;
  const inView = box !== null && box.y > -1 && box.x > -1 && box.y + box.height < height + 1 && box.x + box.width < width + 1;
  expect({ selector, inView, box }).toEqual({ selector, inView: true, box });
}

/**
 * Waits for the answer in an alert line (`#…-feedback` or `#status`), one that holds `expected`
 * when given (the line may still show an earlier answer), checks it is in view, and returns it.
 */
export async function answerIn(page: Page, selector: string, expected?: string): Promise<{ text: string; code: string | null; kind: string | null }> {
  await waitFor(page, expected === undefined ? `${selector}:not(:empty)` : `${selector}:has-text(${JSON.stringify(expected)})`);
  await expectInView(page, selector);
  const line = page.locator(selector);
  const [text, code, kind] = await Promise.all([line.textContent(), line.getAttribute('data-code'), line.getAttribute('data-kind')]);
  return { text: text ?? '', code, kind };
}

// --- Steps on the page ---

/** A CDP virtual authenticator (resident keys, user verification) for the page's passkey ceremonies. */
export async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ credentialCount(): Promise<number> }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { credentialCount: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length };
}

/** "Create account" on the page; resolves once the signed-in view shows the account. */
export async function registerThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#register').click();
  await waitFor(page, '#signed-in:not([hidden]) #email-status:not([data-verified="unknown"])');
}

export async function logInThroughPage(page: Page, email: string, password: string): Promise<void> {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#login').click();
}

export async function logOutThroughPage(page: Page): Promise<void> {
  await page.locator('#logout').click();
  await waitFor(page, '#signed-out:not([hidden])');
}

/** Opens the verification link from the inbox in `page` (which then resumes its session) and waits for the verified email. */
export async function verifyEmailThroughInbox(page: Page, email: string): Promise<string> {
  const link = await emailLink(email, 'verify-email');
  await page.goto(link);
  await waitFor(page, 'main[data-ready="true"]');
  await waitFor(page, '#email-status[data-verified="true"]');
  return link;
}

/**
 * Waits for the answer in `line`. When the page asks to confirm who it is instead (the form sits
 * below the refused form, in view), confirms with the password and, if it asks for one, a recovery code.
 */
export async function confirmIfAsked(page: Page, line: string, proof: { password: string; recoveryCodes?: string[] }): Promise<void> {
  await waitFor(page, `${line}:not(:empty), #reauth:not([hidden])`);
  if (await page.locator('#reauth').isHidden()) return;
  await expectInView(page, '#reauth');
  await page.locator('#reauth-password').fill(proof.password);
  if (await page.locator('#reauth-code').isVisible()) {
    await page.locator('#reauth-use-recovery').check();
    await page.locator('#reauth-code').fill(proof.recoveryCodes!.shift()!);
  }
  await page.locator('#reauth-submit').click();
  await waitFor(page, '#reauth', 'hidden');
}
