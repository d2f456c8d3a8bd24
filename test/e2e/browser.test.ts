import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { runDemo } from '../../scripts/demo';
import { ensureTables, LOCAL_AWS_ENV } from '../../scripts/dev/dynamodb-local';
import { startOffline, type OfflineServer } from '../../scripts/dev/offline';
import { PASSWORD, testEnv, uniqueEmail } from '../support/fixtures';
import { call } from '../support/http';
import { freePort } from '../../scripts/dev/ports';
import { launchChromium, openDemo, waitFor } from './demo-page';

// The demos end to end. The page (served by `npm start` at /dev/demo) in Debian's Chromium, driven
// by playwright-core, which never downloads a browser: cookie delivery, the refresh token in an
// HttpOnly cookie on http://localhost. And `npm run demo`, the same flow in a terminal.

// Set by `npm run demo:screenshot` to refresh the README's picture.
const SCREENSHOT = process.env.DEMO_SCREENSHOT;

/** serverless-offline on a port chosen first, so that the page's origin can be the allowed one. */
async function startDemoServer(): Promise<OfflineServer & { pageUrl: string }> {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
  await ensureTables(endpoint, 'dev');
  const port = await freePort();
  const env = await testEnv({
    JWT_ISSUER: 'http://localhost:3000',
    JWT_AUDIENCE: 'jwt-auth',
    LOG_LEVEL: 'warn',
    LAMBDA_TIMEOUT_SECONDS: '30',
    ACCESS_TOKEN_TTL_SECONDS: '3',
    CLOCK_SKEW_SECONDS: '0',
    CORS_ALLOWED_ORIGINS: `http://localhost:${port}`,
    DYNAMODB_ENDPOINT: endpoint,
  });
  const server = await startOffline({ port, env: { ...LOCAL_AWS_ENV, ...(env as Record<string, string>) } });
  // localhost, not 127.0.0.1: Chromium keeps a Secure cookie on http only for localhost.
  return { ...server, pageUrl: `http://localhost:${port}/dev/demo` };
}

/**
 * Every function the page uses, called once over HTTP: cold starts on a busy machine take seconds,
 * and the page's 3 s tokens should not be spent waiting for them.
 */
async function warmUp(baseUrl: string): Promise<void> {
  const warm = uniqueEmail('warm');
  await call(baseUrl, 'GET', '/demo/app.js');
  await call(baseUrl, 'POST', '/auth/register', { json: { email: warm, password: PASSWORD } });
  const login = await call(baseUrl, 'POST', '/auth/login', { json: { email: warm, password: PASSWORD } });
  const auth = { headers: { Authorization: `Bearer ${login.body.access_token}` } };
  await Promise.all([call(baseUrl, 'GET', '/me', auth), call(baseUrl, 'GET', '/auth/sessions', auth)]);
  const refreshed = await call(baseUrl, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
  await call(baseUrl, 'POST', '/auth/logout', { json: { refresh_token: refreshed.body.refresh_token } });
}

const signedInSection = (page: Page) => page.locator('#signed-in');
const meOutput = (page: Page) => page.locator('#me-output');

/** Clicks "Call /me" and waits for the page to show the answer; returns the status it shows. */
async function callMe(page: Page): Promise<string> {
  await page.evaluate("document.getElementById('me-output').removeAttribute('data-status')");
  await page.getByRole('button', { name: 'Call /me' }).click();
  await waitFor(page, '#me-output[data-status]:not([data-status="pending"])');
  return (await meOutput(page).getAttribute('data-status'))!;
}

/** Waits until the page's countdown says the access token has expired (by the page's own clock). */
const tokenExpired = (page: Page) => waitFor(page, '#countdown:has-text("expired")');

// One server (3 s tokens) for the page and for the CLI walk-through, which both watch tokens expire.
let server: Awaited<ReturnType<typeof startDemoServer>>;
beforeAll(async () => {
  server = await startDemoServer();
  await warmUp(server.baseUrl);
}, 180_000);
afterAll(() => server?.stop());

describe('demo page in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let tabA: Page;
  let tabB: Page;
  const email = uniqueEmail('browser');

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1000, height: 1200 } });
    context.setDefaultTimeout(45_000);
  });
  afterAll(() => browser?.close());

  it('creates an account and logs in through the page, with the refresh token in an HttpOnly cookie', async () => {
    tabA = await openDemo(context, server.pageUrl);
    expect(await signedInSection(tabA).isHidden()).toBe(true);

    await tabA.locator('#email').fill(email);
    await tabA.locator('#password').fill(PASSWORD);
    await tabA.getByRole('button', { name: 'Create account' }).click();

    await waitFor(tabA, '#sessions tr');
    expect(await tabA.locator('#signed-in-heading').textContent()).toBe(`Signed in as ${email}`);
    expect(await tabA.locator('#countdown').textContent()).toMatch(/^\d+ s$|^expired/);
    const cookies = await context.cookies();
    expect(cookies.map(({ name, httpOnly, secure, sameSite, path }) => ({ name, httpOnly, secure, sameSite, path }))).toEqual([
      { name: 'refresh_token', httpOnly: true, secure: true, sameSite: 'Strict', path: '/dev/auth' },
    ]);
    expect(await tabA.evaluate('document.cookie')).toBe('');
  });

  it('calls /me', async () => {
    expect(await callMe(tabA)).toBe('200');
    const body = (await meOutput(tabA).textContent())!.split('\n').slice(1).join('\n');
    expect(JSON.parse(body)).toEqual({ id: expect.any(String), email, email_verified: false, mfa_enabled: false, session_id: expect.any(String) });
  });

  it('still calls /me after the access token expired, through a refresh with the cookie', async () => {
    await tokenExpired(tabA);
    const refreshed = tabA.waitForResponse((response) => response.url().endsWith('/dev/auth/refresh'));
    expect(await callMe(tabA)).toBe('200');
    expect((await refreshed).status()).toBe(200);
  });

  it('keeps two tabs logged in when both refresh at the same moment', async () => {
    // A second tab resumes the session from the cookie.
    tabB = await openDemo(context, server.pageUrl);
    expect(await signedInSection(tabB).isVisible()).toBe(true);

    // Both tokens expire; both refreshes are held until both are on their way, with the same cookie.
    await Promise.all([tokenExpired(tabA), tokenExpired(tabB)]);
    const held: Route[] = [];
    const bothArrived = new Promise<void>((resolve) => {
      void context.route('**/dev/auth/refresh', (route) => {
        held.push(route);
        if (held.length === 2) resolve();
      });
    });
    const refreshes = [tabA, tabB].map((tab) => tab.waitForResponse((response) => response.url().endsWith('/dev/auth/refresh')));
    const calls = Promise.all([callMe(tabA), callMe(tabB)]);
    await bothArrived;
    await Promise.all(held.map((route) => route.continue()));
    await context.unroute('**/dev/auth/refresh');
    expect(await calls).toEqual(['200', '200']);
    expect(await Promise.all(refreshes.map(async (response) => (await response).status()))).toEqual([200, 200]);

    // The session survived (no reuse alarm): one session, and each tab refreshes again later.
    await tabA.getByRole('button', { name: 'Reload the sessions' }).click();
    await waitFor(tabA, '#sessions tr:only-child');
    if (SCREENSHOT) await tabA.screenshot({ path: SCREENSHOT, fullPage: true });
    await Promise.all([tokenExpired(tabA), tokenExpired(tabB)]);
    expect(await callMe(tabA)).toBe('200');
    expect(await callMe(tabB)).toBe('200');
    expect(await signedInSection(tabA).isVisible()).toBe(true);
    expect(await signedInSection(tabB).isVisible()).toBe(true);
  });

  it('logs out: /me is refused, the cookie is gone, and the other tab is logged out at its next refresh', async () => {
    const loggedOut = tabA.waitForResponse((response) => response.url().endsWith('/dev/auth/logout'));
    await tabA.getByRole('button', { name: 'Log out', exact: true }).click();
    expect((await loggedOut).status()).toBe(204);
    await waitFor(tabA, '#signed-out:not([hidden])');
    expect(await tabA.locator('#status').textContent()).toBe('Logged out.');
    expect(await callMe(tabA)).toBe('401');
    expect(await context.cookies()).toEqual([]);

    // Tab B still holds an access token; once it expires, the refresh is refused and the client logs out.
    await tokenExpired(tabB);
    expect(await callMe(tabB)).toBe('error');
    await waitFor(tabB, '#signed-out:not([hidden])');
    expect(await tabB.locator('#status').textContent()).toMatch(/^You were signed out: this session was ended/);
    expect(await tabB.locator('#status').getAttribute('data-code')).toBe('invalid_refresh_token');
  });
});

describe('npm run demo', () => {
  it('walks through login, call, expiry, 401, refresh, call, logout and refused refresh', async () => {
    const lines: string[] = [];
    const ok = await runDemo({ baseUrl: server.baseUrl, maxWaitSeconds: 10, print: (line) => lines.push(line) });
    const output = lines.join('\n');

    expect(ok).toBe(true);
    expect(output).not.toContain('✗');
    const steps = [
      /\d\. Log in[^\n]*\n\s+→ POST \/dev\/auth\/login: 200/,
      /\d\. Call GET \/me with the access token[\s\S]*?→ GET \/dev\/me with a Bearer token: 200/,
      /\d\. Let the access token expire\n[\s\S]*?\n\s+expired\n/,
      /\d\. Call GET \/me with the expired token[^\n]*\n\s+→ GET \/dev\/me with a Bearer token: 401/,
      /→ POST \/dev\/auth\/refresh: 200[^\n]*\n[^\n]*refreshed[^\n]*\n\s+→ GET \/dev\/me with a Bearer token: 200/,
      /\d\. Log out[\s\S]*?→ POST \/dev\/auth\/logout: 204/,
      /\d\. Refresh with the refresh token of the ended session\n\s+→ POST \/dev\/auth\/refresh: 401[^\n]*\n[^\n]*invalid_refresh_token/,
    ];
    // In this order.
    let rest = output;
    for (const step of steps) {
      const match = step.exec(rest);
      expect({ step: String(step), found: match !== null }).toEqual({ step: String(step), found: true });
      rest = rest.slice(match!.index + match![0].length);
    }
  });
});
