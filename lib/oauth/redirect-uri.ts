/**
 * Redirect URIs: which may be registered, and whether a presented one matches a registered one.
 *
 * Registration (OAuth 2.1 §2.3, RFC 8252 §7.3, RFC 9700 §4.1): an absolute URI without a fragment
 * or user information, https, or http only on a loopback host (127.0.0.1, [::1], localhost) for
 * apps on the user's own machine.
 *
 * Matching is exact string comparison (no prefix, no case folding, no normalisation of the path or
 * the query), with one exception: a PUBLIC client's `http://127.0.0.1` or `http://[::1]` URI
 * matches the same URI on any port, because a native app listens on whatever port the system gives
 * it (RFC 8252 §7.3). `http://localhost` is matched exactly: RFC 8252 §8.3 advises against it (the
 * name may not resolve to the loopback interface), so it gets no such leniency.
 */

/** Why a URI may not be registered; each reads as the end of "redirect_uris[0] must ...". */
export type RedirectUriProblem = 'not_absolute' | 'has_fragment' | 'has_user_info' | 'not_https' | 'too_long';

export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** What is wrong with a URI as a redirect URI, or undefined when it may be registered. */
export function redirectUriProblem(uri: string): RedirectUriProblem | undefined {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return 'too_long';
  // A URL parser accepts "https:example.com" and spaces; a registered URI is compared as written, so it must be written plainly.
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(uri)) return 'not_absolute';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'not_absolute';
  }
  if (uri.includes('#')) return 'has_fragment';
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(uri)) return 'has_user_info';
  if (url.protocol === 'https:' && url.hostname !== '') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'not_https';
}

/** The words of each problem, for a 400's message and the CLI. */
export const REDIRECT_URI_RULES: Readonly<Record<RedirectUriProblem, string>> = {
  not_absolute: 'be an absolute URI',
  has_fragment: 'not contain a fragment (#)',
  has_user_info: 'not contain user information (user@)',
  not_https: 'use https (or http on 127.0.0.1, [::1] or localhost)',
  too_long: `be at most ${MAX_REDIRECT_URI_LENGTH} characters`,
};

/** `http://127.0.0.1[:port]<rest>` or `http://[::1][:port]<rest>`: the host, the port as written and the rest (path and query). */
const LOOPBACK_IP_URI = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::([0-9]*))?([/?][^#]*)?$/;

interface LoopbackParts {
  readonly host: string;
  readonly port: string | undefined;
  readonly rest: string;
}

function loopbackParts(uri: string): LoopbackParts | undefined {
  const match = LOOPBACK_IP_URI.exec(uri);
  if (!match) return undefined;
  // An empty path and "/" are different strings; they stay different, as exact matching would have them.
  return { host: match[1]!, port: match[2], rest: match[3] ?? '' };
}

/** A port as a browser or an app would send it: 1 to 65535, no leading zero. */
const isPort = (port: string | undefined): boolean => port !== undefined && /^[1-9][0-9]{0,4}$/.test(port) && Number(port) <= 65535;

/** Whether `presented` matches one of the client's registered redirect URIs (see the header for the rules). */
export function matchesRedirectUri(client: { readonly redirectUris: readonly string[]; readonly isPublic: boolean }, presented: string): boolean {
  if (client.redirectUris.includes(presented)) return true;
  if (!client.isPublic) return false;
  const candidate = loopbackParts(presented);
  if (!candidate || (candidate.port !== undefined && !isPort(candidate.port))) return false;
  return client.redirectUris.some((registered) => {
    const parts = loopbackParts(registered);
    return parts !== undefined && parts.host === candidate.host && parts.rest === candidate.rest;
  });
}
