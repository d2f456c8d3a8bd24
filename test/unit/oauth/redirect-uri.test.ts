import { matchesRedirectUri, redirectUriProblem } from '../../../lib/oauth/redirect-uri';

const publicClient = (...redirectUris: string[]) => ({ redirectUris, isPublic: true });
const confidentialClient = (...redirectUris: string[]) => ({ redirectUris, isPublic: false });

describe('redirectUriProblem: what may be registered', () => {
  it.each([
    'https://app.example.com/callback',
    'https://app.example.com:8443/cb?tenant=a',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:8080/callback',
    'http://[::1]/callback',
    'http://localhost:3000/callback',
  ])('accepts %s', (uri) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
  });

  it.each([
    ['/callback', 'not_absolute'],
    ['app.example.com/callback', 'not_absolute'],
    ['https:app.example.com', 'not_absolute'],
    ['https://app.example.com/a b', 'not_absolute'],
    ['https://app.example.com/cb#frag', 'has_fragment'],
    ['https://app.example.com/cb#', 'has_fragment'],
    ['https://user:pw@app.example.com/cb', 'has_user_info'],
    ['https://user@app.example.com/cb', 'has_user_info'],
    ['http://app.example.com/cb', 'not_https'],
    ['http://127.0.0.2/cb', 'not_https'],
    ['http://localhost.example.com/cb', 'not_https'],
    ['com.example.app://callback', 'not_https'],
    ['javascript://alert(1)', 'not_https'],
    [`https://app.example.com/${'a'.repeat(2000)}`, 'too_long'],
  ])('refuses %s (%s)', (uri, problem) => {
    expect(redirectUriProblem(uri)).toBe(problem);
  });
});

describe('matchesRedirectUri', () => {
  it('matches an https URI exactly: no prefix, no case folding, no other query, no trailing slash', () => {
    const client = publicClient('https://app.example.com/callback?x=1');
    expect(matchesRedirectUri(client, 'https://app.example.com/callback?x=1')).toBe(true);
    for (const other of [
      'https://app.example.com/callback',
      'https://app.example.com/callback?x=1&y=2',
      'https://app.example.com/callback?x=2',
      'https://app.example.com/Callback?x=1',
      'https://APP.example.com/callback?x=1',
      'https://app.example.com/callback/?x=1',
      'https://app.example.com/callback?x=1#f',
      'https://app.example.com:443/callback?x=1',
      'https://app.example.com/callbackx?x=1',
    ]) {
      expect({ other, matches: matchesRedirectUri(client, other) }).toEqual({ other, matches: false });
    }
  });

  it('lets a public client\'s 127.0.0.1 and [::1] URIs match on any port (RFC 8252 §7.3), with the same path and query', () => {
    const client = publicClient('http://127.0.0.1/callback', 'http://[::1]:8080/cb?a=1');
    expect(matchesRedirectUri(client, 'http://127.0.0.1:51234/callback')).toBe(true);
    expect(matchesRedirectUri(client, 'http://127.0.0.1/callback')).toBe(true);
    expect(matchesRedirectUri(client, 'http://127.0.0.1:65535/callback')).toBe(true);
    expect(matchesRedirectUri(client, 'http://[::1]:1/cb?a=1')).toBe(true);
    expect(matchesRedirectUri(client, 'http://[::1]/cb?a=1')).toBe(true);

    for (const other of [
      'http://127.0.0.1:51234/callback2',
      'http://127.0.0.1:51234/Callback',
      'http://127.0.0.1:51234/callback?x=1',
      'http://127.0.0.1:51234/callback#f',
      'http://127.0.0.1:0/callback',
      'http://127.0.0.1:65536/callback',
      'http://127.0.0.1:080/callback',
      'http://127.0.0.1:/callback',
      'http://127.0.0.1:abc/callback',
      'http://evil@127.0.0.1:5000/callback',
      'https://127.0.0.1:5000/callback',
      'http://[::1]:5000/callback',
      'http://127.0.0.1:5000/cb?a=1',
      'http://[::1]:5000/cb',
      'http://localhost:5000/callback',
    ]) {
      expect({ other, matches: matchesRedirectUri(client, other) }).toEqual({ other, matches: false });
    }
  });

  it('matches localhost exactly, port included, even for a public client', () => {
    const client = publicClient('http://localhost:3000/callback');
    expect(matchesRedirectUri(client, 'http://localhost:3000/callback')).toBe(true);
    expect(matchesRedirectUri(client, 'http://localhost:3001/callback')).toBe(false);
    expect(matchesRedirectUri(client, 'http://localhost/callback')).toBe(false);
  });

  it('gives a confidential client no port leniency', () => {
    const client = confidentialClient('http://127.0.0.1:8080/callback');
    expect(matchesRedirectUri(client, 'http://127.0.0.1:8080/callback')).toBe(true);
    expect(matchesRedirectUri(client, 'http://127.0.0.1:9090/callback')).toBe(false);
  });

  it('matches nothing for a client without redirect URIs', () => {
    expect(matchesRedirectUri(publicClient(), 'http://127.0.0.1/callback')).toBe(false);
  });
});
