import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runAdminCli } from '../support/admin-cli';
import { registerVerified, resignedAccessToken } from '../support/e2e-accounts';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { bearer, call } from '../support/http';
import {
  answerIn,
  confirmIfAsked,
  expectNoSidewaysScroll,
  launchChromium,
  logInThroughPage,
  logOutThroughPage,
  openDemo,
  registerThroughPage,
  startAccountServer,
  totpCode,
  totpStep,
  waitFor,
} from './demo-page';

// The demo page's roles line, recent security events and admin view (API-CONTRACT-AUTHZ.md, "Admin
// API" and "Audit trail"), in Chromium on a phone-sized window. An account registered on the page
// sees "Roles: none" and its own sign-in among its events. An admin (the role given by
// `npm run admin -- grant-role`) sees the admin view; the admin API first refuses a sign-in
// without a second factor (ADMIN_REQUIRE_MFA, on by default) and the view says what to do; after
// TOTP is on (and past its probation, REAUTH_MAX_AGE_SECONDS: 3 s here) and a sign-in with a code,
// the admin disables, enables and signs out the first account, and cannot disable themselves.

const REAUTH_MAX_AGE_SECONDS = 3;
const PHONE = { width: 390, height: 844 };
const NARROW = { width: 360, height: 780 };
const NEW_PASSWORD = 'a brand new passphrase';
const ADMIN_SCOPE = 'users:read users:write clients:read clients:write audit:read';

let server: Awaited<ReturnType<typeof startAccountServer>>;
let browser: Browser;
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];
/** The account the first test registers on the page (its password then NEW_PASSWORD); the admin acts on it in the second. */
let firstUser: string | undefined;

beforeAll(async () => {
  server = await startAccountServer({ REAUTH_MAX_AGE_SECONDS: String(REAUTH_MAX_AGE_SECONDS) });
  // Cold starts of the functions the page uses, before any test's clock runs: the admin paths with
  // an admin's token (the warm account's, re-signed with the test key), so that their handlers run.
  const warm = uniqueEmail('warm');
  await call(server.baseUrl, 'GET', '/demo/app.js');
  await call(server.baseUrl, 'POST', '/auth/register', { json: { email: warm, password: PASSWORD } });
  const login = await call(server.baseUrl, 'POST', '/auth/login', { json: { email: warm, password: PASSWORD } });
  const auth = { headers: bearer(login.body.access_token) };
  const admin = { headers: bearer(await resignedAccessToken(login.body.access_token, { scope: ADMIN_SCOPE, amr: ['pwd', 'otp', 'mfa'] })) };
  const nobody = randomUUID();
  await Promise.all([
    call(server.baseUrl, 'GET', '/me', auth),
    call(server.baseUrl, 'GET', '/auth/sessions', auth),
    call(server.baseUrl, 'GET', '/auth/passkeys', auth),
    call(server.baseUrl, 'GET', '/me/security-events', auth),
    call(server.baseUrl, 'POST', '/auth/mfa/totp/setup', auth),
    call(server.baseUrl, 'POST', '/auth/mfa/totp/confirm', { ...auth, json: { code: '000000' } }),
    call(server.baseUrl, 'GET', `/admin/users?email_prefix=${encodeURIComponent(warm)}`, admin),
    call(server.baseUrl, 'POST', `/admin/users/${nobody}/disable`, admin),
    call(server.baseUrl, 'POST', `/admin/users/${nobody}/enable`, admin),
    call(server.baseUrl, 'POST', `/admin/users/${nobody}/sign-out`, admin),
  ]);
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  await browser?.close();
  await server?.stop();
});
afterEach(() => {
  // Chromium reports every non-2xx fetch as "Failed to load resource"; the page itself logs nothing.
  expect(consoleErrors.splice(0).filter((text) => !text.startsWith('Failed to load resource'))).toEqual([]);
});

async function phonePage(): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE });
  context.setDefaultTimeout(45_000);
  contexts.push(context);
  return openDemo(context, server.pageUrl, consoleErrors);
}

/** Nothing scrolls sideways at 390 px, nor at 360 px; the window goes back to 390 px. */
async function expectNoSidewaysScrollOnPhones(page: Page, where: string): Promise<void> {
  await expectNoSidewaysScroll(page, `${where} at 390 px`);
  await page.setViewportSize(NARROW);
  await expectNoSidewaysScroll(page, `${where} at 360 px`);
  await page.setViewportSize(PHONE);
}

/** Lists the accounts whose email starts with `email` and returns its row (following "More" while the listing may go on). */
async function adminRow(page: Page, email: string) {
  await page.locator('#admin-email-prefix').fill(email);
  await page.locator('#admin-search-submit').click();
  expect((await answerIn(page, '#admin-feedback')).kind).toBe('info');
  const row = page.locator('#admin-users li', { hasText: email });
  while ((await row.count()) === 0 && (await page.locator('#more-users').isVisible())) {
    await page.locator('#more-users').click();
    await answerIn(page, '#admin-feedback');
  }
  expect(await row.count()).toBe(1);
  return row;
}

const loginStatus = async (email: string, password = PASSWORD) => {
  const login = await call(server.baseUrl, 'POST', '/auth/login', { json: { email, password } });
  return { status: login.status, error: login.body?.error as string | undefined, refreshToken: login.body?.refresh_token as string | undefined };
};

describe('demo page: roles, security events and the admin view (needs API-CONTRACT-AUTHZ.md)', () => {
  it('a new account sees "Roles: none", its sign-in among its recent security events (reloadable), and no admin view', async () => {
    const page = await phonePage();
    firstUser = uniqueEmail('listed');
    await registerThroughPage(page, firstUser, PASSWORD);

    await waitFor(page, '#roles:has-text("Roles: none")');
    await waitFor(page, '#events li[data-type="login_succeeded"]');
    const signIn = page.locator('#events li[data-type="login_succeeded"]').first();
    expect(await signIn.locator('strong').textContent()).toBe('Signed in with a password');
    expect(await signIn.locator('.origin').textContent()).toMatch(/^Chrome on Linux/);
    expect(await signIn.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await page.locator('#admin-view').isHidden()).toBe(true);
    // No secret in the list: the event words only.
    expect(await page.locator('#events').innerText()).not.toMatch(/token|password:|eyJ/i);

    // A change that records an event shows up in the list at once.
    await page.locator('#current-password').fill(PASSWORD);
    await page.locator('#new-password').fill(NEW_PASSWORD);
    await page.locator('#change-password-submit').click();
    await confirmIfAsked(page, '#change-password-feedback', { password: PASSWORD });
    expect((await answerIn(page, '#change-password-feedback')).text).toBe('Password changed. Your other sessions were ended.');
    await waitFor(page, '#events li[data-type="password_changed"]');
    expect(await page.locator('#events li').first().getAttribute('data-type')).toBe('password_changed');

    await page.locator('#reload-events').click();
    await waitFor(page, '#events li[data-type="login_succeeded"]');
    await expectNoSidewaysScrollOnPhones(page, 'security events');
  });

  it('an admin: the view says a second factor is needed; signed in with TOTP, disables, enables and signs out the first account, and cannot disable themselves', async () => {
    expect(firstUser).toBeDefined();
    const target = firstUser!;
    const adminEmail = uniqueEmail('admin');
    await registerVerified(server.baseUrl, adminEmail);
    const granted = await runAdminCli('grant-role', adminEmail, 'admin');
    expect({ code: granted.code, stderr: granted.code === 0 ? '' : granted.stderr }).toEqual({ code: 0, stderr: '' });

    // Signed in with the password alone: the view shows, and the admin API's refusal is in its alert line.
    const page = await phonePage();
    await logInThroughPage(page, adminEmail, PASSWORD);
    await waitFor(page, '#signed-in:not([hidden]) #mfa-state[data-enabled="false"]');
    expect(await page.locator('#roles').textContent()).toBe('Roles: admin');
    await waitFor(page, '#admin-view:not([hidden])');
    await waitFor(page, '#admin-feedback[data-code="mfa_required_for_admin"]');
    await page.locator('#admin-search-submit').click();
    expect(await answerIn(page, '#admin-feedback')).toEqual({
      text: 'The admin API needs a sign-in with a second factor: turn on two-factor authentication below, then log out and log in again with a code from your app.',
      code: 'mfa_required_for_admin',
      kind: 'error',
    });
    await expectNoSidewaysScrollOnPhones(page, 'admin view refused');

    // TOTP on, through the page (its own test: browser-reauth.test.ts); this sign-in still has no second factor.
    await page.locator('#totp-setup').click();
    await confirmIfAsked(page, '#totp-setup-feedback', { password: PASSWORD });
    await waitFor(page, '#totp-enrol:not([hidden])');
    const secret = (await page.locator('#totp-secret').textContent())!;
    const enrolStep = totpStep();
    await page.locator('#totp-confirm-code').fill(totpCode(secret, enrolStep));
    await page.locator('#totp-confirm-submit').click();
    await confirmIfAsked(page, '#totp-feedback', { password: PASSWORD });
    const enrolledAt = Date.now();
    await waitFor(page, '#recovery-code-list li');
    await page.locator('#recovery-codes-done').click();
    await waitFor(page, '#events li[data-type="mfa_enabled"]');
    await page.locator('#admin-search-submit').click();
    expect((await answerIn(page, '#admin-feedback')).text).toMatch(/^The admin API needs a sign-in with a second factor: log out and log in again with a code from your authenticator app/);

    // Past the new factor's probation, a sign-in with a code counts as `mfa`: the listing shows.
    await logOutThroughPage(page);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, enrolledAt + (REAUTH_MAX_AGE_SECONDS + 1) * 1000 - Date.now())));
    await logInThroughPage(page, adminEmail, PASSWORD);
    await waitFor(page, '#mfa:not([hidden])');
    // The next step's code: the enrolment spent this one, and the next is in the window for the next 30 s.
    await page.locator('#mfa-code').fill(totpCode(secret, enrolStep + 1));
    await page.locator('#mfa-submit').click();
    await waitFor(page, '#signed-in:not([hidden]) #mfa-state[data-enabled="true"]');
    await waitFor(page, '#admin-view:not([hidden]) #admin-users li');
    expect(await page.locator('#admin-feedback').textContent()).toBe('');

    // Disable: the account's login is refused (after the password check), its row says so.
    let row = await adminRow(page, target);
    await row.getByRole('button', { name: `Disable ${target}` }).click();
    expect(await answerIn(page, '#admin-feedback', 'is disabled')).toEqual({
      text: `${target} is disabled: their sessions were ended, and they cannot log in until enabled.`,
      code: null,
      kind: 'ok',
    });
    expect(await row.getAttribute('data-disabled')).toBe('true');
    expect(await loginStatus(target, NEW_PASSWORD)).toMatchObject({ status: 403, error: 'account_disabled' });
    await expectNoSidewaysScrollOnPhones(page, 'admin view listing');

    // Enable: the account logs in again.
    await row.getByRole('button', { name: `Enable ${target}` }).click();
    expect((await answerIn(page, '#admin-feedback', 'is enabled again')).text).toBe(`${target} is enabled again: they can log in.`);
    expect(await row.getAttribute('data-disabled')).toBe('false');
    const again = await loginStatus(target, NEW_PASSWORD);
    expect(again.status).toBe(200);

    // Sign out everywhere: the session just made stops refreshing.
    await row.getByRole('button', { name: `Sign out ${target} everywhere` }).click();
    expect((await answerIn(page, '#admin-feedback', 'was signed out')).text).toBe(
      `${target} was signed out on every device (an access token already issued works until it expires).`,
    );
    expect((await call(server.baseUrl, 'POST', '/auth/refresh', { json: { refresh_token: again.refreshToken } })).status).toBe(401);

    // Oneself: 409 cannot_modify_self, said in the view.
    row = await adminRow(page, adminEmail);
    expect(await row.locator('.badge').textContent()).toBe('you');
    await row.getByRole('button', { name: `Disable ${adminEmail}` }).click();
    expect(await answerIn(page, '#admin-feedback', 'your own account')).toEqual({
      text: 'You cannot do this to your own account: ask another administrator.',
      code: 'cannot_modify_self',
      kind: 'error',
    });
    expect(await row.getAttribute('data-disabled')).toBe('false');
    expect(await loginStatus(adminEmail)).toMatchObject({ status: 403, error: 'mfa_required' });
    await expectNoSidewaysScrollOnPhones(page, 'admin view after the actions');

    // The first account sees what the admin did among its own events.
    const theirs = await phonePage();
    await logInThroughPage(theirs, target, NEW_PASSWORD);
    await waitFor(theirs, '#events li[data-type="sessions_ended_by_admin"]');
    expect(await theirs.locator('#events li[data-type="account_disabled"] strong').textContent()).toBe('Account disabled by an administrator');
    expect(await theirs.locator('#events li[data-type="sessions_ended_by_admin"] strong').textContent()).toBe('Signed out everywhere by an administrator');
    // Where the admin acted from stays in the admin's listing.
    expect(await theirs.locator('#events li[data-type="account_disabled"] .origin').count()).toBe(0);
  }, 180_000);
});
