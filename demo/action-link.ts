/**
 * The links in the service's emails: `<page>?action=verify-email#token=…`,
 * `?action=reset-password#token=…` and, in a factor notice, `?action=report-factor#token=…`.
 * The token travels in the fragment so that no server log or Referer sees it; the page takes it
 * out of the address bar (and so out of the history and of anything that reads `location` later)
 * before it does anything else.
 */
export type ActionLink = { readonly action: 'verify-email' | 'reset-password' | 'report-factor'; readonly token: string };

const ACTIONS: readonly ActionLink['action'][] = ['verify-email', 'reset-password', 'report-factor'];

/** Reads the action and token of an email link, then removes both from the address bar. */
export function takeActionLink(): ActionLink | undefined {
  const action = new URLSearchParams(location.search).get('action');
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (action === null && token === null) return undefined;
  history.replaceState(history.state, '', location.pathname);
  const known = ACTIONS.find((candidate) => candidate === action);
  return known && token ? { action: known, token } : undefined;
}
