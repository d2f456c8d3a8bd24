/**
 * The demo page (served by handlers/demo.ts at `/{stage}/demo`). Plain HTML and CSS; the
 * behaviour is in demo/app.ts, which uses the client in client/.
 */

/** `/dev`: where the API and the page live. Only characters a stage name can have. */
export const basePathOf = (stage: string) => `/${stage.replace(/[^A-Za-z0-9_-]/g, '')}`;

export function renderDemoPage(basePath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Auth service demo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${basePath}/demo/app.css">
<script type="module" src="${basePath}/demo/app.js"></script>
</head>
<body>
<header>
  <h1>Auth service demo</h1>
  <p>This page uses the TypeScript client (<code>client/</code>) with cookie delivery: the refresh token lives in an
  <code>HttpOnly</code> cookie that JavaScript cannot read, the access token only in memory.</p>
</header>
<main data-base-path="${basePath}">
  <p id="address-notice" class="notice" hidden></p>
  <p id="status" role="status" class="status"></p>

  <section id="reset" aria-labelledby="reset-heading" hidden>
    <h2 id="reset-heading">Choose a new password</h2>
    <form id="reset-form">
      <div class="field">
        <label for="reset-password">New password</label>
        <input id="reset-password" name="reset-password" type="password" autocomplete="new-password" minlength="8" required>
      </div>
      <div class="actions"><button type="submit" id="reset-submit">Set the new password</button></div>
      <p id="reset-feedback" class="feedback" role="alert"></p>
    </form>
  </section>

  <section id="signed-out" aria-labelledby="signed-out-heading">
    <h2 id="signed-out-heading">Log in</h2>
    <form id="credentials">
      <div class="field">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username webauthn" required>
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" minlength="8" required aria-describedby="password-hint">
        <p id="password-hint" class="hint">At least 8 characters.</p>
      </div>
      <div class="actions">
        <button type="submit" value="login" id="login">Log in</button>
        <button type="submit" value="register" id="register" class="secondary">Create account</button>
        <button type="button" id="passkey-login" class="secondary">Log in with a passkey</button>
        <button type="button" id="forgot-toggle" class="link" aria-controls="forgot" aria-expanded="false">Forgot password?</button>
      </div>
      <p id="credentials-feedback" class="feedback" role="alert"></p>
    </form>

    <form id="mfa" hidden aria-labelledby="mfa-heading">
      <h3 id="mfa-heading">Second factor</h3>
      <div class="field">
        <label for="mfa-code" id="mfa-code-label">Code from your authenticator app</label>
        <input id="mfa-code" name="mfa-code" inputmode="numeric" autocomplete="one-time-code" required>
      </div>
      <div class="field checkbox">
        <label><input type="checkbox" id="mfa-use-recovery"> Use a recovery code instead</label>
      </div>
      <div class="actions">
        <button type="submit" id="mfa-submit">Verify</button>
        <button type="button" id="mfa-cancel" class="secondary">Cancel</button>
      </div>
      <p id="mfa-feedback" class="feedback" role="alert"></p>
    </form>

    <form id="forgot" hidden aria-labelledby="forgot-heading">
      <h3 id="forgot-heading">Reset your password</h3>
      <div class="field">
        <label for="forgot-email">Email of the account</label>
        <input id="forgot-email" name="forgot-email" type="email" autocomplete="username" required>
      </div>
      <div class="actions"><button type="submit" id="forgot-submit">Email me a reset link</button></div>
    </form>
    <p id="forgot-feedback" class="feedback" role="alert"></p>
  </section>

  <section id="signed-in" aria-labelledby="signed-in-heading" hidden>
    <h2 id="signed-in-heading">Signed in<span id="who"></span></h2>
    <p id="roles" class="roles"></p>
    <p>Email: <strong id="email-status" data-verified="unknown">–</strong>
      <button type="button" id="resend-verification" class="secondary small" hidden>Send a new verification email</button></p>
    <p id="verification-feedback" class="feedback" role="alert"></p>
    <p>Access token expires in <strong id="countdown" role="timer">–</strong></p>
    <progress id="token-life" max="1" value="0" aria-label="Access token lifetime left"></progress>
    <div class="actions">
      <button type="button" id="logout">Log out</button>
      <button type="button" id="logout-all" class="danger">Log out everywhere</button>
    </div>
    <p id="logout-feedback" class="feedback" role="alert"></p>

    <div class="heading-row">
      <h3 id="sessions-heading">Your sessions</h3>
      <button type="button" id="reload-sessions" class="secondary small" aria-label="Reload the sessions">Reload</button>
    </div>
    <div class="table-wrap">
      <table class="sessions-table" role="table" aria-labelledby="sessions-heading">
        <thead role="rowgroup">
          <tr role="row"><th role="columnheader" scope="col">Started</th><th role="columnheader" scope="col">Last used</th><th role="columnheader" scope="col">Expires</th><th role="columnheader" scope="col">Device</th><th role="columnheader" scope="col">IP</th><th role="columnheader" scope="col"><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody id="sessions" role="rowgroup"></tbody>
      </table>
    </div>
    <div class="actions"><button type="button" id="more-sessions" class="secondary small" aria-label="More sessions" hidden>More</button></div>
    <p id="sessions-feedback" class="feedback" role="alert"></p>

    <div class="heading-row">
      <h3 id="events-heading">Recent security events</h3>
      <button type="button" id="reload-events" class="secondary small" aria-label="Reload the security events">Reload</button>
    </div>
    <ul id="events" class="events" aria-labelledby="events-heading"></ul>
    <div class="actions"><button type="button" id="more-events" class="secondary small" aria-label="More security events" hidden>More</button></div>
    <p id="events-feedback" class="feedback" role="alert"></p>

    <div id="admin-view" class="admin" hidden>
      <h3 id="admin-heading">Admin: accounts</h3>
      <form id="admin-search" role="search" aria-labelledby="admin-heading">
        <div class="field">
          <label for="admin-email-prefix">Email starts with</label>
          <input id="admin-email-prefix" name="admin-email-prefix" type="search" autocomplete="off" aria-describedby="admin-email-prefix-hint">
          <p id="admin-email-prefix-hint" class="hint">Empty lists every account.</p>
        </div>
        <div class="actions"><button type="submit" id="admin-search-submit" class="secondary">List accounts</button></div>
      </form>
      <ul id="admin-users" class="admin-users" aria-labelledby="admin-heading"></ul>
      <div class="actions"><button type="button" id="more-users" class="secondary small" aria-label="More accounts" hidden>More</button></div>
      <p id="admin-feedback" class="feedback" role="alert"></p>
    </div>

    <h3 id="change-password-heading">Change password</h3>
    <form id="change-password" aria-labelledby="change-password-heading">
      <div class="field">
        <label for="current-password">Current password</label>
        <input id="current-password" name="current-password" type="password" autocomplete="current-password" required>
      </div>
      <div class="field">
        <label for="new-password">New password</label>
        <input id="new-password" name="new-password" type="password" autocomplete="new-password" minlength="8" required>
      </div>
      <div class="actions"><button type="submit" id="change-password-submit">Change password</button></div>
      <p class="hint">Your other sessions end; this one stays.</p>
      <p id="change-password-feedback" class="feedback" role="alert"></p>
    </form>

    <h3 id="mfa-settings-heading">Two-factor authentication</h3>
    <p>Authenticator app (TOTP): <strong id="mfa-state" data-enabled="unknown">–</strong></p>
    <p id="factor-hint" class="hint" hidden>Verify your email before you add an authenticator app or a passkey: open the link in the email we sent you.</p>
    <p id="totp-feedback" class="feedback" role="alert"></p>
    <div id="recovery-codes" hidden>
      <p><strong>Your recovery codes.</strong> Each works once, in place of a code from the app. Save them now: they are not shown again.</p>
      <ol id="recovery-code-list" class="codes" aria-label="Recovery codes"></ol>
      <div class="actions"><button type="button" id="recovery-codes-done" class="secondary small">I saved them</button></div>
    </div>
    <div id="totp-off" hidden>
      <div class="actions" id="totp-setup-actions"><button type="button" id="totp-setup">Turn on two-factor authentication</button></div>
      <p id="totp-setup-feedback" class="feedback" role="alert"></p>
      <div id="totp-enrol" hidden>
        <img id="totp-qr" alt="QR code of the TOTP secret" width="200" height="200">
        <p>Secret: <code id="totp-secret"></code></p>
        <form id="totp-confirm">
          <div class="field">
            <label for="totp-confirm-code">Code from the app</label>
            <input id="totp-confirm-code" name="totp-confirm-code" inputmode="numeric" autocomplete="one-time-code" required>
          </div>
          <div class="actions"><button type="submit" id="totp-confirm-submit">Confirm and turn on</button></div>
          <p id="totp-confirm-feedback" class="feedback" role="alert"></p>
        </form>
      </div>
    </div>
    <div id="totp-on" hidden>
      <form id="totp-disable" aria-label="Turn off two-factor authentication">
        <div class="field">
          <label for="totp-disable-password">Password (to turn it off)</label>
          <input id="totp-disable-password" type="password" autocomplete="current-password" required>
        </div>
        <div class="field">
          <label for="totp-disable-code" id="totp-disable-code-label">Current code</label>
          <input id="totp-disable-code" inputmode="numeric" autocomplete="one-time-code" required>
        </div>
        <div class="field checkbox">
          <label><input type="checkbox" id="totp-disable-use-recovery"> Use a recovery code instead (the app is lost)</label>
        </div>
        <div class="actions"><button type="submit" id="totp-disable-submit" class="danger">Turn off</button></div>
        <p id="totp-disable-feedback" class="feedback" role="alert"></p>
      </form>
      <form id="regenerate-codes" aria-label="New recovery codes">
        <div class="field">
          <label for="regenerate-password">Password (for new recovery codes)</label>
          <input id="regenerate-password" type="password" autocomplete="current-password" required>
        </div>
        <div class="actions"><button type="submit" id="regenerate-submit" class="secondary">New recovery codes</button></div>
        <p id="regenerate-feedback" class="feedback" role="alert"></p>
      </form>
    </div>

    <h3 id="passkeys-heading">Passkeys</h3>
    <ul id="passkeys" class="passkeys" aria-labelledby="passkeys-heading"></ul>
    <p id="passkeys-feedback" class="feedback" role="alert"></p>
    <form id="add-passkey">
      <div class="field">
        <label for="passkey-name">Name of the new passkey</label>
        <input id="passkey-name" name="passkey-name" placeholder="e.g. Laptop" aria-describedby="passkey-name-hint">
        <p id="passkey-name-hint" class="hint">Up to 64 characters.</p>
      </div>
      <div class="actions"><button type="submit" id="add-passkey-submit">Add a passkey</button></div>
      <p id="add-passkey-feedback" class="feedback" role="alert"></p>
    </form>

    <h3 id="delete-heading">Delete account</h3>
    <form id="delete-account" aria-labelledby="delete-heading">
      <div class="field">
        <label for="delete-password">Password (to delete the account)</label>
        <input id="delete-password" type="password" autocomplete="current-password" required>
      </div>
      <div class="actions"><button type="submit" id="delete-account-submit" class="danger">Delete account</button></div>
      <p class="hint">Removes the account, its sessions, second factors and passkeys. It cannot be undone.</p>
      <p id="delete-account-feedback" class="feedback" role="alert"></p>
    </form>

    <form id="reauth" class="reauth" hidden aria-labelledby="reauth-heading">
      <h4 id="reauth-heading">Confirm it is you</h4>
      <p id="reauth-reason" class="hint"></p>
      <div class="field">
        <label for="reauth-password">Password</label>
        <input id="reauth-password" type="password" autocomplete="current-password">
      </div>
      <div class="field" id="reauth-code-field" hidden>
        <label for="reauth-code" id="reauth-code-label">Code from your authenticator app</label>
        <input id="reauth-code" inputmode="numeric" autocomplete="one-time-code">
      </div>
      <div class="field checkbox" id="reauth-recovery-field" hidden>
        <label><input type="checkbox" id="reauth-use-recovery"> Use a recovery code instead</label>
      </div>
      <div class="actions">
        <button type="submit" id="reauth-submit">Confirm and continue</button>
        <button type="button" id="reauth-passkey" class="secondary" hidden>Use a passkey</button>
        <button type="button" id="reauth-cancel" class="secondary">Cancel</button>
      </div>
      <p id="reauth-feedback" class="feedback" role="alert"></p>
    </form>
  </section>

  <section aria-labelledby="api-heading">
    <h2 id="api-heading">Protected API</h2>
    <p><code>GET /me</code> needs a valid access token. The client attaches it, refreshes it shortly before it expires,
    and after a 401 refreshes once and retries.</p>
    <div class="actions"><button type="button" id="call-me">Call /me</button></div>
    <pre id="me-output" tabindex="0" aria-live="polite" aria-label="Response of /me">Not called yet.</pre>
  </section>

  <section aria-labelledby="activity-heading">
    <h2 id="activity-heading">Activity</h2>
    <ul id="activity" class="activity" aria-label="Requests and events, newest first"></ul>
  </section>
</main>
</body>
</html>
`;
}

export const DEMO_CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #f6f7f9; --card: #fff; --muted: #57606a; --line: #d0d7de;
  --accent: #0b5cad; --accent-fg: #fff; --danger: #b42318; --ok: #1a7f37; --focus: #f59e0b; --notice: #fff8c5; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --muted: #9da7b3; --line: #30363d; --accent: #4493f8; --accent-fg: #0d1117; --danger: #f85149; --ok: #3fb950; --notice: #3b2e00; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 56rem; padding: .75rem; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header p { color: var(--muted); margin-top: 0; }
h1 { margin-bottom: .25rem; font-size: 1.75rem; }
h2 { margin-top: 0; font-size: 1.25rem; }
h3, h4 { font-size: 1rem; margin: 0; }
/* Long emails and secrets wrap instead of widening the page. */
h1, h2, p, li, code, strong { overflow-wrap: anywhere; }
section { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; margin: .75rem 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.field { display: grid; gap: .25rem; margin-bottom: .75rem; max-width: 24rem; }
label { font-weight: 600; }
input { font: inherit; min-width: 0; padding: .5rem .625rem; border: 1px solid var(--muted); border-radius: .375rem; background: var(--bg); color: var(--fg); }
.hint { margin: 0; color: var(--muted); font-size: .875rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
button { font: inherit; font-weight: 600; padding: .5rem 1rem; border-radius: .375rem; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-fg); cursor: pointer; }
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
button.small { padding: .125rem .625rem; font-size: .875rem; }
button:disabled { opacity: .6; cursor: progress; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
progress { width: 100%; max-width: 24rem; height: .75rem; accent-color: var(--accent); }
.heading-row { display: flex; align-items: center; gap: .75rem; margin-top: 1rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; font-size: .875rem; }
th, td { text-align: left; padding: .375rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.device { max-width: 16rem; }
.badge { display: inline-block; margin-left: .375rem; padding: 0 .375rem; border-radius: 1rem; border: 1px solid var(--ok); color: var(--ok); font-size: .75rem; font-weight: 600; }
pre { margin: 0; padding: .75rem; border-radius: .375rem; background: var(--bg); border: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; font-size: .875rem; }
.status { margin: 0; min-height: 1.5rem; font-weight: 600; }
.status[data-kind="error"] { color: var(--danger); }
.notice { margin: 0 0 .75rem; padding: .5rem .75rem; border-radius: .375rem; background: var(--notice); border: 1px solid var(--line); }
/* The answer to an action, next to its form; empty until there is one. */
.feedback { margin: .25rem 0 .5rem; font-weight: 600; }
.feedback:empty { margin: 0; }
.feedback[data-kind="error"] { color: var(--danger); }
.feedback[data-kind="ok"] { color: var(--ok); }
.activity { margin: 0; padding: 0; list-style: none; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .8125rem; max-height: 14rem; overflow-y: auto; }
.activity li[data-kind="error"] { color: var(--danger); }
button.link { background: transparent; border-color: transparent; color: var(--accent); text-decoration: underline; padding-inline: .25rem; }
.checkbox label { font-weight: 400; }
form + form, form h3 { margin-top: .75rem; }
section > h3 { margin-top: 1.5rem; }
.reauth { margin: .75rem 0; padding: .75rem; border: 2px solid var(--accent); border-radius: .5rem; background: var(--bg); }
.reauth .hint { margin-bottom: .5rem; }
#totp-qr { display: block; max-width: 100%; height: auto; background: #fff; padding: .5rem; border-radius: .375rem; }
/* Recovery codes: one per box, in two clearly separate columns. */
.codes { display: grid; grid-template-columns: repeat(2, max-content); gap: .5rem 1rem; margin: .5rem 0; padding: 0; list-style: none;
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.codes li { padding: .25rem .5rem; border: 1px solid var(--line); border-radius: .25rem; background: var(--bg); }
.passkeys { padding-left: 1.25rem; }
.roles { margin: 0 0 .5rem; color: var(--muted); font-weight: 600; }
/* Security events: what happened, then when and from where. */
.events { margin: .5rem 0 0; padding: 0; list-style: none; font-size: .875rem; }
.events li { padding: .25rem 0; border-bottom: 1px solid var(--line); color: var(--muted); }
.events strong { display: block; color: var(--fg); }
.events time { white-space: nowrap; }
.admin { margin-top: 1.5rem; padding-top: .75rem; border-top: 2px solid var(--line); }
.admin h3 { margin-bottom: .5rem; }
.admin-users { margin: .5rem 0 0; padding: 0; list-style: none; }
.admin-users li { border: 1px solid var(--line); border-radius: .375rem; padding: .375rem .625rem; margin-bottom: .5rem; }
.admin-users li[data-disabled="true"] .email { text-decoration: line-through; }
.admin-users .hint { display: block; }
.admin-users .actions { margin: .375rem 0 0; }
.passkeys li { margin: .25rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media (min-width: 40rem) {
  body { padding: 1.5rem; }
  .sessions-table td.time { white-space: nowrap; }
  .sessions-table .badge { display: block; width: max-content; margin: .125rem 0 0; }
  section { padding: 1rem 1.25rem; margin: 1rem 0; }
  h1 { font-size: 2rem; }
}
/* A phone: each session is a card of labelled lines instead of a row of six columns. */
@media (max-width: 39.99rem) {
  .sessions-table thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .sessions-table, .sessions-table tbody, .sessions-table tr, .sessions-table td { display: block; }
  .sessions-table tr { border: 1px solid var(--line); border-radius: .375rem; padding: .375rem .625rem; margin-bottom: .5rem; }
  .sessions-table td { border: 0; padding: .125rem 0; }
  .sessions-table td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
  td.device { max-width: none; }
}
`;
