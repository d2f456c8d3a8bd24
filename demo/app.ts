/**
 * The demo page's behaviour, in the browser. Bundled with the client by demo/bundle.ts when the
 * page asks for it; type-checked with DOM types by demo/tsconfig.json (`npm run typecheck:demo`).
 */
import { AuthError, createAuthClient, type Session } from '../client';

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const ui = {
  main: document.querySelector('main') as HTMLElement,
  status: element<HTMLParagraphElement>('status'),
  signedOut: element<HTMLElement>('signed-out'),
  signedIn: element<HTMLElement>('signed-in'),
  form: element<HTMLFormElement>('credentials'),
  email: element<HTMLInputElement>('email'),
  password: element<HTMLInputElement>('password'),
  who: element<HTMLSpanElement>('who'),
  countdown: element<HTMLElement>('countdown'),
  tokenLife: element<HTMLProgressElement>('token-life'),
  logout: element<HTMLButtonElement>('logout'),
  logoutAll: element<HTMLButtonElement>('logout-all'),
  reloadSessions: element<HTMLButtonElement>('reload-sessions'),
  sessions: element<HTMLTableSectionElement>('sessions'),
  callMe: element<HTMLButtonElement>('call-me'),
  meOutput: element<HTMLPreElement>('me-output'),
  activity: element<HTMLUListElement>('activity'),
};

const MAX_ACTIVITY = 50;

function note(text: string, kind: 'info' | 'error' = 'info'): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  item.dataset.kind = kind;
  ui.activity.prepend(item);
  while (ui.activity.children.length > MAX_ACTIVITY) ui.activity.lastElementChild?.remove();
}

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

const describe = (error: unknown) => (error instanceof AuthError ? `${error.message} (${error.code})` : String(error));

/** Every request the client makes shows up in the activity list. */
async function loggedFetch(request: Request): Promise<Response> {
  const label = `${request.method} ${new URL(request.url).pathname}`;
  try {
    const response = await fetch(request);
    note(`${label} → ${response.status}`, response.ok ? 'info' : 'error');
    return response;
  } catch (error) {
    note(`${label} → network error`, 'error');
    throw error;
  }
}

const client = createAuthClient({ baseUrl: location.origin + (ui.main.dataset.basePath ?? ''), delivery: 'cookie', fetch: loggedFetch });

let tokenLifetimeMs = 0;

client.addEventListener('logged-in', (event) => {
  tokenLifetimeMs = event.tokens.expiresIn * 1000;
  showSignedIn(true);
});
client.addEventListener('refreshed', (event) => {
  tokenLifetimeMs = event.tokens.expiresIn * 1000;
  note(`access token refreshed (valid ${event.tokens.expiresIn} s)`);
  showSignedIn(true);
});
client.addEventListener('logged-out', (event) => {
  const messages = {
    logout: 'Logged out.',
    'logout-all': 'Logged out on every device.',
    'session-ended': 'This session was ended.',
    'refresh-failed': `Your session is over: the refresh was refused (${event.error?.code ?? 'unknown'}). Log in again.`,
  } as const;
  say(messages[event.reason], event.reason === 'refresh-failed' ? 'error' : 'info');
  note(`logged out (${event.reason})`);
  showSignedIn(false);
});

function showSignedIn(signedIn: boolean): void {
  ui.signedIn.hidden = !signedIn;
  ui.signedOut.hidden = signedIn;
  if (!signedIn) {
    ui.who.textContent = '';
    ui.sessions.replaceChildren();
  }
  tick();
}

function tick(): void {
  const expiresAt = client.accessTokenExpiresAt;
  if (expiresAt === null) {
    ui.countdown.textContent = '–';
    ui.tokenLife.value = 0;
    return;
  }
  const leftMs = expiresAt - Date.now();
  ui.countdown.textContent = leftMs > 0 ? `${Math.ceil(leftMs / 1000)} s` : 'expired: the next call refreshes it';
  ui.tokenLife.value = tokenLifetimeMs > 0 ? Math.max(0, leftMs) / tokenLifetimeMs : 0;
}

/** Runs one user action with its button disabled, and reports an error in the status line. */
async function act(button: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
  if (button) button.disabled = true;
  try {
    await action();
  } catch (error) {
    say(describe(error), 'error');
  } finally {
    if (button) button.disabled = false;
  }
}

async function whoAmI(): Promise<void> {
  const response = await client.fetch('/me');
  if (response.ok) ui.who.textContent = ` as ${((await response.json()) as { email: string }).email}`;
}

async function loadSessions(): Promise<void> {
  renderSessions(await client.listSessions());
}

function renderSessions(sessions: Session[]): void {
  const time = (iso: string) => new Date(iso).toLocaleString();
  ui.sessions.replaceChildren(
    ...sessions.map((session) => {
      const row = document.createElement('tr');
      const cells = [time(session.createdAt), time(session.lastUsedAt), time(session.expiresAt), session.userAgent ?? 'unknown', session.ip ?? 'unknown'];
      for (const [index, text] of cells.entries()) {
        const cell = document.createElement('td');
        cell.textContent = text;
        if (index === 3) cell.className = 'device';
        if (index === 0 && session.current) {
          const badge = document.createElement('span');
          badge.className = 'badge';
          badge.textContent = 'this browser';
          cell.append(badge);
        }
        row.append(cell);
      }
      const actions = document.createElement('td');
      const end = document.createElement('button');
      end.type = 'button';
      end.className = 'secondary small';
      end.textContent = 'End';
      end.setAttribute('aria-label', `End the session started ${time(session.createdAt)}${session.current ? ' (this browser)' : ''}`);
      end.addEventListener('click', () =>
        act(end, async () => {
          await client.endSession(session.id);
          if (!session.current) {
            say('Session ended.');
            await loadSessions();
          }
        }),
      );
      actions.append(end);
      row.append(actions);
      return row;
    }),
  );
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
  const credentials = { email: ui.email.value, password: ui.password.value };
  void act(submitter, async () => {
    if (submitter?.value === 'register') {
      const account = await client.register(credentials);
      note(`account created for ${account.email}`);
    }
    await client.login(credentials);
    ui.password.value = '';
    say('Logged in.');
    await whoAmI();
    await loadSessions();
  });
});

ui.callMe.addEventListener('click', () =>
  act(ui.callMe, async () => {
    ui.meOutput.dataset.status = 'pending';
    try {
      const response = await client.fetch('/me');
      const text = await response.text();
      let body = text;
      try {
        body = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        /* not JSON: show as is */
      }
      ui.meOutput.textContent = `${response.status} ${response.statusText}\n${body}`;
      ui.meOutput.dataset.status = String(response.status);
    } catch (error) {
      ui.meOutput.textContent = `Refused: ${describe(error)}`;
      ui.meOutput.dataset.status = 'error';
    }
  }),
);

ui.logout.addEventListener('click', () => act(ui.logout, () => client.logout()));
ui.logoutAll.addEventListener('click', () => act(ui.logoutAll, () => client.logoutAll()));
ui.reloadSessions.addEventListener('click', () => act(ui.reloadSessions, loadSessions));

setInterval(tick, 250);

// A reload loses the in-memory access token, not the cookie: try to resume the session.
void (async () => {
  try {
    await client.refresh();
    say('Session resumed from the refresh cookie.');
    await whoAmI();
    await loadSessions();
  } catch {
    note('no session to resume');
  } finally {
    ui.main.dataset.ready = 'true';
  }
})();
