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
  <p id="status" role="status" class="status"></p>

  <section id="signed-out" aria-labelledby="signed-out-heading">
    <h2 id="signed-out-heading">Log in</h2>
    <form id="credentials">
      <div class="field">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required>
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" minlength="8" required aria-describedby="password-hint">
        <p id="password-hint" class="hint">At least 8 characters.</p>
      </div>
      <div class="actions">
        <button type="submit" value="login">Log in</button>
        <button type="submit" value="register" class="secondary">Create account</button>
      </div>
    </form>
  </section>

  <section id="signed-in" aria-labelledby="signed-in-heading" hidden>
    <h2 id="signed-in-heading">Signed in<span id="who"></span></h2>
    <p>Access token expires in <strong id="countdown" role="timer">–</strong></p>
    <progress id="token-life" max="1" value="0" aria-label="Access token lifetime left"></progress>
    <div class="actions">
      <button type="button" id="logout">Log out</button>
      <button type="button" id="logout-all" class="danger">Log out everywhere</button>
    </div>
    <div class="heading-row">
      <h3 id="sessions-heading">Your sessions</h3>
      <button type="button" id="reload-sessions" class="secondary small">Reload</button>
    </div>
    <div class="table-wrap">
      <table aria-labelledby="sessions-heading">
        <thead>
          <tr><th scope="col">Started</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Device</th><th scope="col">IP</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
        </thead>
        <tbody id="sessions"></tbody>
      </table>
    </div>
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
  --accent: #0b5cad; --accent-fg: #fff; --danger: #b42318; --ok: #1a7f37; --focus: #f59e0b; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --muted: #9da7b3; --line: #30363d; --accent: #4493f8; --accent-fg: #0d1117; --danger: #f85149; --ok: #3fb950; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 56rem; padding: 1.5rem; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header p { color: var(--muted); margin-top: 0; }
h1 { margin-bottom: .25rem; }
h2 { margin-top: 0; font-size: 1.25rem; }
h3 { font-size: 1rem; margin: 0; }
section { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem 1.25rem; margin: 1rem 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.field { display: grid; gap: .25rem; margin-bottom: .75rem; max-width: 24rem; }
label { font-weight: 600; }
input { font: inherit; padding: .5rem .625rem; border: 1px solid var(--muted); border-radius: .375rem; background: var(--bg); color: var(--fg); }
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
td.device { max-width: 16rem; overflow-wrap: anywhere; }
.badge { display: inline-block; margin-left: .375rem; padding: 0 .375rem; border-radius: 1rem; border: 1px solid var(--ok); color: var(--ok); font-size: .75rem; font-weight: 600; }
pre { margin: 0; padding: .75rem; border-radius: .375rem; background: var(--bg); border: 1px solid var(--line); overflow-x: auto; font-size: .875rem; }
.status { margin: 0; min-height: 1.5rem; font-weight: 600; }
.status[data-kind="error"] { color: var(--danger); }
.activity { margin: 0; padding: 0; list-style: none; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .8125rem; max-height: 14rem; overflow-y: auto; }
.activity li[data-kind="error"] { color: var(--danger); }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;
