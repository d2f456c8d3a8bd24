/**
 * Redirects, and the checks that keep them from being open redirects: a target taken from a
 * request is used only when it is a path on this site or a URL on an allowed origin, and an
 * OAuth redirect URI only when it is one the client registered.
 */
import type { HttpResponse } from './http';

/** 302 answers a GET the classic way; 303 makes the browser GET the target after a form POST. */
export type RedirectStatus = 302 | 303;

/** A redirect with optional cookies and no body. `location` must already be checked (see below). */
export function redirect(location: string, { status = 302, cookies }: { status?: RedirectStatus; cookies?: string[] } = {}): HttpResponse {
  // A header value with CR or LF would let a caller add headers of their own.
  if (/[\r\n\0]/.test(location)) throw new TypeError('a Location must not hold control characters');
  return { status, headers: { Location: location }, ...(cookies?.length ? { cookies } : {}) };
}

/**
 * `target` if it is safe to send a browser to, else undefined: a path on this site (`/x`, but not
 * `//host` or `/\host`, which browsers read as another host), or an absolute http(s) URL whose
 * origin is in `allowedOrigins`.
 */
export function safeRedirectTarget(target: string | undefined, allowedOrigins: readonly string[]): string | undefined {
  if (!target || /[\x00-\x1F\x7F\\]/.test(target)) return undefined;
  if (target.startsWith('/')) return target.startsWith('//') ? undefined : target;
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  return allowedOrigins.includes(url.origin) ? url.href : undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/**
 * Whether `candidate` is one of a client's `registered` redirect URIs: exact string match, except
 * that a loopback IP literal's port may differ (RFC 8252 §7.3: native apps pick a free port).
 * `localhost` matches exactly: its name may resolve elsewhere.
 */
export function matchesRegisteredRedirectUri(candidate: string, registered: readonly string[]): boolean {
  if (registered.includes(candidate)) return true;
  if (!URL.canParse(candidate)) return false;
  const url = new URL(candidate);
  // Only a candidate already in its normal form, so `/a/../cb` or `%2e` tricks cannot match.
  if (url.href !== candidate || url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.hash) return false;
  return registered.some((entry) => {
    if (!URL.canParse(entry)) return false;
    const known = new URL(entry);
    if (known.href !== entry || known.protocol !== 'http:' || known.hostname !== url.hostname) return false;
    known.port = url.port;
    return known.href === candidate;
  });
}

/** `uri` with `params` added to its query (an authorization response: code, state, iss), keeping what it had. */
export function withQueryParams(uri: string, params: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(uri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(name, value);
  return url.href;
}
