/**
 * Cookies, both ways: reading a Cookie header and building Set-Cookie values. Every cookie the
 * service sets is built here, so its attributes are checked in one place; several cookies go out
 * as `multiValueHeaders['Set-Cookie']` (a single header cannot carry two of them).
 */
import type { HttpRequest } from './http';

export interface CookieAttributes {
  readonly path: string;
  /** Seconds; 0 deletes the cookie. Absent: a session cookie (gone when the browser closes). */
  readonly maxAge?: number;
  readonly sameSite: 'Strict' | 'Lax' | 'None';
  /** Default true: only JavaScript-free cookies are set by this service. */
  readonly httpOnly?: boolean;
  /** Default true: never sent over plain http (localhost excepted by the browsers). */
  readonly secure?: boolean;
}

/** RFC 6265 cookie-name (a token) and cookie-value (cookie-octets), so a value can never add an attribute. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
/** A Path attribute: absolute, without spaces, control characters or `;` (narrower than RFC 6265). */
const COOKIE_PATH = /^\/[\x21-\x3A\x3C-\x7E]*$/;

/** One Set-Cookie value; throws on a name, value or path that would break the header. */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!COOKIE_NAME.test(name)) throw new TypeError(`invalid cookie name "${name}"`);
  if (!COOKIE_VALUE.test(value)) throw new TypeError(`invalid value for cookie "${name}"`);
  if (!COOKIE_PATH.test(attributes.path)) throw new TypeError(`invalid Path for cookie "${name}"`);
  const { httpOnly = true, secure = true, sameSite, maxAge } = attributes;
  // Browsers drop these without Secure; SameSite=None without Secure is dropped too.
  if ((name.startsWith('__Host-') || name.startsWith('__Secure-') || sameSite === 'None') && !secure) {
    throw new TypeError(`cookie "${name}" must be Secure`);
  }
  if (name.startsWith('__Host-') && attributes.path !== '/') throw new TypeError(`cookie "${name}" must have Path=/`);
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0)) throw new TypeError(`invalid Max-Age for cookie "${name}"`);
  return [
    `${name}=${value}`,
    ...(httpOnly ? ['HttpOnly'] : []),
    ...(secure ? ['Secure'] : []),
    `SameSite=${sameSite}`,
    `Path=${attributes.path}`,
    ...(maxAge !== undefined ? [`Max-Age=${maxAge}`] : []),
  ].join('; ');
}

/** The Set-Cookie value that deletes a cookie: same name and Path, empty value, Max-Age=0. */
export const clearedCookie = (name: string, attributes: Omit<CookieAttributes, 'maxAge'>): string =>
  serializeCookie(name, '', { ...attributes, maxAge: 0 });

/** Every value of one cookie in the Cookie header, in the order the browser sent them. */
export function readCookies(request: Pick<HttpRequest, 'headers'>, name: string): string[] {
  const header = request.headers.cookie;
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) values.push(part.slice(index + 1).trim());
  }
  return values;
}

/** The response's cookies as API Gateway takes several of them: one `Set-Cookie` entry each. */
export function setCookieHeaders(cookies: readonly string[] | undefined): { multiValueHeaders: { 'Set-Cookie': string[] } } | undefined {
  return cookies?.length ? { multiValueHeaders: { 'Set-Cookie': [...cookies] } } : undefined;
}
