import { toApiGatewayResult } from '../../../lib/http/http';
import { matchesRegisteredRedirectUri, redirect, safeRedirectTarget, withQueryParams } from '../../../lib/http/redirect';

describe('redirect responses', () => {
  it('answer 302 by default and 303 after a form POST, with Location, cookies and no body', () => {
    const result = toApiGatewayResult(redirect('https://app.example/cb?code=x', { status: 303, cookies: ['sid=a; HttpOnly; Secure; SameSite=Lax; Path=/'] }), {});
    expect(result).toMatchObject({ statusCode: 303, body: '', headers: { Location: 'https://app.example/cb?code=x', 'Cache-Control': 'no-store' } });
    expect(result.headers?.['Content-Type']).toBeUndefined();
    expect(result.multiValueHeaders?.['Set-Cookie']).toHaveLength(1);
    expect(redirect('/dev/oauth2/login').status).toBe(302);
  });

  it('refuse a Location with CR or LF (header injection)', () => {
    expect(() => redirect('/x\r\nSet-Cookie: a=b')).toThrow(TypeError);
  });
});

describe('no open redirects', () => {
  const origins = ['https://app.example'];

  it('allows a path on this site and a URL on an allowed origin', () => {
    expect(safeRedirectTarget('/dev/demo#x', origins)).toBe('/dev/demo#x');
    expect(safeRedirectTarget('https://app.example/after', origins)).toBe('https://app.example/after');
  });

  it.each([
    ['a protocol-relative URL', '//evil.example/x'],
    ['a backslash that browsers read as a slash', '/\\evil.example'],
    ['another origin', 'https://evil.example/'],
    ['the allowed host on another scheme', 'http://app.example/'],
    ['a look-alike host', 'https://app.example.evil.example/'],
    ['credentials in the URL', 'https://user@app.example/'],
    ['javascript:', 'javascript:alert(1)'],
    ['a control character', '/a\tb'],
    ['nothing', undefined],
  ])('refuses %s', (_name, target) => {
    expect(safeRedirectTarget(target, origins)).toBeUndefined();
  });
});

describe('registered redirect URIs (exact match; RFC 8252 §7.3 loopback ports)', () => {
  const registered = ['https://app.example/cb', 'http://127.0.0.1/cb', 'http://localhost:8080/cb'];

  it('match exactly', () => {
    expect(matchesRegisteredRedirectUri('https://app.example/cb', registered)).toBe(true);
    expect(matchesRegisteredRedirectUri('https://app.example/cb/', registered)).toBe(false);
    expect(matchesRegisteredRedirectUri('https://app.example/cb?x=1', registered)).toBe(false);
    expect(matchesRegisteredRedirectUri('https://APP.example/cb', registered)).toBe(false);
  });

  it('let a loopback IP literal use any port, but not localhost, another path or a dot-segment trick', () => {
    expect(matchesRegisteredRedirectUri('http://127.0.0.1:51234/cb', registered)).toBe(true);
    expect(matchesRegisteredRedirectUri('http://localhost:9090/cb', registered)).toBe(false);
    expect(matchesRegisteredRedirectUri('http://127.0.0.1:51234/other', registered)).toBe(false);
    expect(matchesRegisteredRedirectUri('http://127.0.0.1:51234/x/../cb', registered)).toBe(false);
    expect(matchesRegisteredRedirectUri('http://[::1]:51234/cb', registered)).toBe(false);
  });

  it('add response parameters to a redirect URI, keeping its own query', () => {
    expect(withQueryParams('https://app.example/cb?tenant=a', { code: 'c d', state: 'x&y', iss: undefined })).toBe('https://app.example/cb?tenant=a&code=c+d&state=x%26y');
  });
});
