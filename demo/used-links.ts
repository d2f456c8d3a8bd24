/**
 * The email links this browser already used, so that opening one again says so at once. The
 * contract has no way to ask whether a one-time token is still good without spending it, so a
 * link the page never used is judged by the service when the person acts on it; a link it did use
 * is recognised here. Only a SHA-256 fingerprint of a spent token is kept (in localStorage), never
 * the token itself.
 */
const KEY = 'auth-demo.used-links';
const MAX_REMEMBERED = 50;

async function fingerprint(action: string, token: string): Promise<string | undefined> {
  // crypto.subtle exists only in a secure context (localhost is one); elsewhere nothing is remembered.
  if (!globalThis.crypto?.subtle) return undefined;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${action}\n${token}`));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function read(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(stored) ? stored.filter((entry): entry is string => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

/** Whether this browser already used the link. */
export async function wasUsed(action: string, token: string): Promise<boolean> {
  const print = await fingerprint(action, token);
  return print !== undefined && read().includes(print);
}

/** Remembers that the link was used (the service accepted it). */
export async function rememberUsed(action: string, token: string): Promise<void> {
  const print = await fingerprint(action, token);
  if (print === undefined) return;
  try {
    localStorage.setItem(KEY, JSON.stringify([print, ...read().filter((entry) => entry !== print)].slice(0, MAX_REMEMBERED)));
  } catch {
    /* storage full or disabled: the service still refuses the link */
  }
}
