import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// What the browser tests share: Debian's Chromium, driven by playwright-core (which never downloads
// a browser), and the demo page's test hooks. Code that runs in the page is passed as strings (the
// tests are type-checked without DOM types), and waits use selectors: the page's CSP forbids the
// eval that string predicates need.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Headless Chromium, or an error that says how to install it. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** waitForSelector that, on a timeout, says what the page showed (status line and activity list). */
export async function waitFor(page: Page, selector: string): Promise<void> {
  try {
    await page.waitForSelector(selector);
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
