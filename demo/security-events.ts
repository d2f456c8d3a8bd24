/**
 * The signed-in view's "Recent security events": the first page of `GET /me/security-events`
 * (newest first), then more a page at a time. Each line says what happened, when, and from which
 * device and IP; never a token, password or code (the service stores none in an event).
 */
import { AuthError, type AuthClient, type SecurityEvent } from '../client';
import { eventLabel, eventOrigin } from './event-words';
import { clear as clearLine, tell, time, ui, write } from './ui';
import { sentenceFor, type FormContext } from './words';

/** app.ts's `act`: runs an action with its button disabled and says a failure in `line`. */
export type Act = (line: HTMLElement, button: HTMLButtonElement | null, context: FormContext, action: () => Promise<void>) => Promise<void>;

export function createSecurityEvents(client: AuthClient, act: Act) {
  let nextCursor: string | undefined;

  /** The first page again (`more`: the next page, appended). */
  async function load(more = false): Promise<void> {
    const page = await client.listSecurityEvents(more && nextCursor !== undefined ? { cursor: nextCursor } : {});
    if (!client.isLoggedIn) return;
    nextCursor = page.nextCursor;
    ui.moreEvents.hidden = nextCursor === undefined;
    const items = page.events.map(eventItem);
    if (more) ui.events.append(...items);
    else ui.events.replaceChildren(...items);
    if (!more && items.length === 0 && nextCursor === undefined) ui.events.replaceChildren(emptyItem());
    if (more && items.length === 0 && nextCursor !== undefined) tell(ui.eventsFeedback, 'No events on this page; there may be more.', 'info');
  }

  /**
   * The first page, when the account shows and after an action that records an event. A failure is
   * the list's, not the action's: it waits in the list's alert line, without scrolling to it.
   */
  async function refresh(): Promise<void> {
    if (!client.isLoggedIn) return;
    try {
      await load();
      if (ui.eventsFeedback.dataset.kind === 'error') clearLine(ui.eventsFeedback);
    } catch (error) {
      if (client.isLoggedIn) write(ui.eventsFeedback, sentenceFor(error), 'error', error instanceof AuthError ? error.code : undefined);
    }
  }

  function clear(): void {
    nextCursor = undefined;
    clearLine(ui.eventsFeedback);
    ui.events.replaceChildren();
    ui.moreEvents.hidden = true;
  }

  ui.reloadEvents.addEventListener('click', () => act(ui.eventsFeedback, ui.reloadEvents, 'general', () => load()));
  ui.moreEvents.addEventListener('click', () => act(ui.eventsFeedback, ui.moreEvents, 'general', () => load(true)));

  return { load, refresh, clear };
}

function eventItem(event: SecurityEvent): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.type = event.type;
  const what = document.createElement('strong');
  what.textContent = eventLabel(event);
  const when = document.createElement('time');
  when.dateTime = event.time;
  when.textContent = time(event.time);
  item.append(what, when);
  const origin = eventOrigin(event);
  if (origin) {
    const where = document.createElement('span');
    where.className = 'origin';
    where.textContent = origin;
    if (event.userAgent) where.title = event.userAgent;
    item.append(' · ', where);
  }
  return item;
}

function emptyItem(): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'empty';
  item.textContent = 'No security events yet.';
  return item;
}
