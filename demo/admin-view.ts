/**
 * The signed-in view's roles line and, for a token whose permissions allow the admin API
 * (`users:read`; the buttons need `users:write`), a small admin view: accounts by email prefix, a
 * page at a time, each with Disable or Enable and "Sign out everywhere". The token's roles and
 * permissions only decide what the page shows; the service decides with its own check, and its
 * refusals (a sign-in without a second factor, an admin acting on themselves) are said in the
 * view's alert line.
 */
import { AuthError, type AdminUser, type AuthClient } from '../client';
import { rolesLine } from './event-words';
import { clear, note, smallButton, tell, time, ui, write } from './ui';
import type { Act } from './security-events';
import { sentenceFor } from './words';

/** What the view needs of the signed-in account: its own row is marked, and the second-factor advice fits it. */
export interface AdminFacts {
  readonly id: string;
  readonly mfaEnabled: boolean;
}

const READ = 'users:read';
const WRITE = 'users:write';

export function createAdminView(client: AuthClient, act: Act, account: () => AdminFacts | undefined) {
  let emailPrefix: string | undefined;
  let nextCursor: string | undefined;
  let loaded = false;

  /** The admin API's refusal in the words of this account: a second factor to turn on, or to sign in with. */
  function sentence(error: unknown): string {
    if (error instanceof AuthError && error.code === 'mfa_required_for_admin' && account()?.mfaEnabled) {
      return 'The admin API needs a sign-in with a second factor: log out and log in again with a code from your authenticator app. A factor turned on without one counts only after a few minutes.';
    }
    return sentenceFor(error, 'admin');
  }

  /** `act` in the view's alert line, with the admin API's refusals in the words above. */
  function run(button: HTMLButtonElement | null, action: () => Promise<void>): Promise<void> {
    return act(ui.adminFeedback, button, 'admin', async () => {
      try {
        await action();
      } catch (error) {
        if (!(error instanceof AuthError) || error.code !== 'mfa_required_for_admin') throw error;
        note(`refused: ${error.message} (${error.code})`, 'error');
        tell(ui.adminFeedback, sentence(error), 'error', error.code);
      }
    });
  }

  async function load(more = false): Promise<void> {
    const page = await client.admin.listUsers({ emailPrefix, cursor: more ? nextCursor : undefined });
    loaded = true;
    nextCursor = page.nextCursor;
    ui.moreUsers.hidden = nextCursor === undefined;
    const items = page.users.map(userItem);
    if (more) ui.adminUsers.append(...items);
    else ui.adminUsers.replaceChildren(...items);
  }

  const shown = () => ui.adminUsers.querySelectorAll('li[data-user-id]').length;
  const count = (n: number) => `${n} account${n === 1 ? '' : 's'}`;

  function userItem(user: AdminUser): HTMLLIElement {
    const item = document.createElement('li');
    item.dataset.userId = user.id;
    render(item, user);
    return item;
  }

  /** One account: email, what it is, and its buttons; drawn again after a change. */
  function render(item: HTMLLIElement, user: AdminUser): void {
    const self = user.id === account()?.id;
    item.dataset.disabled = String(user.disabled);
    const email = document.createElement('strong');
    email.className = 'email';
    email.textContent = user.email;
    const facts = document.createElement('span');
    facts.className = 'hint';
    facts.textContent = [
      user.disabled ? 'disabled' : 'active',
      user.roles.length ? `roles: ${user.roles.join(', ')}` : 'no roles',
      user.mfaEnabled ? 'TOTP on' : 'TOTP off',
      user.emailVerified ? 'email verified' : 'email not verified',
      `since ${time(user.createdAt)}`,
    ].join(' · ');
    const head = document.createElement('div');
    head.append(email);
    if (self) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'you';
      head.append(badge);
    }
    item.replaceChildren(head, facts);
    if (!client.permissions.includes(WRITE)) return;

    const actions = document.createElement('div');
    actions.className = 'actions';
    const toggle = user.disabled ? smallButton('Enable', `Enable ${user.email}`) : smallButton('Disable', `Disable ${user.email}`, 'danger');
    toggle.addEventListener('click', () =>
      run(toggle, async () => {
        if (user.disabled) await client.admin.enableUser(user.id);
        else await client.admin.disableUser(user.id);
        render(item, { ...user, disabled: !user.disabled });
        tell(
          ui.adminFeedback,
          user.disabled ? `${user.email} is enabled again: they can log in.` : `${user.email} is disabled: their sessions were ended, and they cannot log in until enabled.`,
        );
      }),
    );
    const signOut = smallButton('Sign out everywhere', `Sign out ${user.email} everywhere`);
    signOut.addEventListener('click', () =>
      run(signOut, async () => {
        await client.admin.signOutUser(user.id);
        // Oneself too: this page's session is one of them, and the next refresh says so.
        if (self) await client.refresh().catch(() => undefined);
        else tell(ui.adminFeedback, `${user.email} was signed out on every device (an access token already issued works until it expires).`);
      }),
    );
    actions.append(toggle, signOut);
    item.append(actions);
  }

  ui.adminSearch.addEventListener('submit', (event) => {
    event.preventDefault();
    void run((event as SubmitEvent).submitter as HTMLButtonElement | null, async () => {
      emailPrefix = ui.adminEmailPrefix.value.trim() || undefined;
      await load();
      const found = shown();
      tell(ui.adminFeedback, `${count(found)}${emailPrefix ? ` whose email starts with ${emailPrefix}` : ''}${nextCursor ? '; more may follow' : ''}.`, 'info');
    });
  });
  ui.moreUsers.addEventListener('click', () =>
    run(ui.moreUsers, async () => {
      const before = shown();
      await load(true);
      tell(ui.adminFeedback, `${count(shown() - before)} more${nextCursor ? '; more may follow' : ''}.`, 'info');
    }),
  );

  const view = {
    /** The roles line and the view, for the current token (after a login or a refresh, or signed out). */
    update(): void {
      ui.roles.textContent = client.isLoggedIn ? rolesLine(client.roles) : '';
      const allowed = client.isLoggedIn && client.permissions.includes(READ);
      const appeared = allowed && ui.adminView.hidden;
      ui.adminView.hidden = !allowed;
      // The admin role arrived with a refresh while signed in (at a sign-in, the account's loading lists them).
      if (appeared && account()) void view.loadOnce();
      if (allowed) return;
      loaded = false;
      emailPrefix = undefined;
      nextCursor = undefined;
      ui.adminSearch.reset();
      ui.adminUsers.replaceChildren();
      ui.moreUsers.hidden = true;
      clear(ui.adminFeedback);
    },
    /** The first page, once, when the view shows: a refusal waits in the alert line without scrolling to it. */
    async loadOnce(): Promise<void> {
      if (ui.adminView.hidden || loaded) return;
      try {
        await load();
      } catch (error) {
        if (!client.isLoggedIn) return;
        if (error instanceof AuthError) note(`refused: ${error.message} (${error.code})`, 'error');
        write(ui.adminFeedback, sentence(error), 'error', error instanceof AuthError ? error.code : undefined);
      }
    },
  };
  return view;
}
