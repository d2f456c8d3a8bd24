import { clearedCookie, readCookies, serializeCookie, setCookieHeaders } from '../../../lib/http/cookies';
import { toApiGatewayResult } from '../../../lib/http/http';
import { clearedRefreshCookie, refreshCookie } from '../../../lib/http/token-response';

describe('Set-Cookie values', () => {
  it('are HttpOnly and Secure unless told otherwise, with SameSite, Path and Max-Age', () => {
    expect(serializeCookie('sid', 'abc.def', { sameSite: 'Lax', path: '/dev/oauth2', maxAge: 60 })).toBe('sid=abc.def; HttpOnly; Secure; SameSite=Lax; Path=/dev/oauth2; Max-Age=60');
    expect(serializeCookie('pref', 'x', { sameSite: 'Strict', path: '/', httpOnly: false })).toBe('pref=x; Secure; SameSite=Strict; Path=/');
  });

  it('keep the refresh cookie exactly as the contract has it', () => {
    expect(refreshCookie('s.t', 1_209_600, '/dev/auth')).toBe('refresh_token=s.t; HttpOnly; Secure; SameSite=Strict; Path=/dev/auth; Max-Age=1209600');
    expect(clearedRefreshCookie('/dev/auth')).toBe('refresh_token=; HttpOnly; Secure; SameSite=Strict; Path=/dev/auth; Max-Age=0');
    expect(clearedCookie('refresh_token', { sameSite: 'Strict', path: '/dev/auth' })).toBe(clearedRefreshCookie('/dev/auth'));
  });

  it('refuse a value, name or path that would add an attribute or break the header', () => {
    expect(() => serializeCookie('sid', 'a; Domain=evil.example', { sameSite: 'Lax', path: '/' })).toThrow(TypeError);
    expect(() => serializeCookie('sid', 'a\r\nSet-Cookie: x=y', { sameSite: 'Lax', path: '/' })).toThrow(TypeError);
    expect(() => serializeCookie('s id', 'a', { sameSite: 'Lax', path: '/' })).toThrow(TypeError);
    expect(() => serializeCookie('sid', 'a', { sameSite: 'Lax', path: '/a; Domain=x' })).toThrow(TypeError);
    expect(() => serializeCookie('sid', 'a', { sameSite: 'Lax', path: 'relative' })).toThrow(TypeError);
    expect(() => serializeCookie('sid', 'a', { sameSite: 'Lax', path: '/', maxAge: -1 })).toThrow(TypeError);
  });

  it('refuse what browsers would drop: __Host- off Path=/, __Host-/__Secure-/SameSite=None without Secure', () => {
    expect(() => serializeCookie('__Host-sid', 'a', { sameSite: 'Lax', path: '/oauth2' })).toThrow(/Path=\//);
    expect(() => serializeCookie('__Secure-sid', 'a', { sameSite: 'Lax', path: '/', secure: false })).toThrow(/Secure/);
    expect(() => serializeCookie('sid', 'a', { sameSite: 'None', path: '/', secure: false })).toThrow(/Secure/);
    expect(serializeCookie('__Host-sid', 'a', { sameSite: 'Lax', path: '/' })).toMatch(/^__Host-sid=a; HttpOnly; Secure;/);
  });

  it('go out as multiValueHeaders, one Set-Cookie entry each, and not at all when there are none', () => {
    expect(setCookieHeaders(['a=1', 'b=2'])).toEqual({ multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] } });
    expect(setCookieHeaders([])).toBeUndefined();
    const result = toApiGatewayResult({ status: 204, cookies: ['a=1', 'b=2'] }, {});
    expect(result.multiValueHeaders).toEqual({ 'Set-Cookie': ['a=1', 'b=2'] });
    expect(result.headers?.['Set-Cookie']).toBeUndefined();
  });
});

describe('reading cookies', () => {
  it('gives every value of a name in order, ignoring other cookies', () => {
    expect(readCookies({ headers: { cookie: 'a=1; refresh_token=x; b=2; refresh_token=y' } }, 'refresh_token')).toEqual(['x', 'y']);
    expect(readCookies({ headers: {} }, 'refresh_token')).toEqual([]);
  });
});
