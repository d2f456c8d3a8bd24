import { bearer, call } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

describe('probe', () => {
  it('probes', async () => {
    const server = await startTestServer({ CORS_ALLOWED_ORIGINS: 'https://app.example.com', LOGIN_MAX_FAILURES: '2' });
    try {
      const base = server.baseUrl;
      const show = (label: string, r: { status: number; headers: Headers; text: string }) =>
        console.log(label, r.status, JSON.stringify([...r.headers.entries()]), r.headers.getSetCookie(), r.text);
      const email = uniqueEmail();
      show('register', await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } }));
      const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD, refresh_token_delivery: 'cookie' } });
      show('login', login);
      show('me401', await call(base, 'GET', '/me'));
      show('me401bad', await call(base, 'GET', '/me', { headers: bearer('a.b.c') }));
      show('del401', await call(base, 'DELETE', '/auth/sessions/x', { headers: bearer('a.b.c') }));
      show('me', await call(base, 'GET', '/me', { headers: { ...bearer(login.body.access_token), Origin: 'https://app.example.com' } }));
      show('del404', await call(base, 'DELETE', '/auth/sessions/x', { headers: bearer(login.body.access_token) }));
      show('jwks', await call(base, 'GET', '/.well-known/jwks.json'));
      show('413', await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD, pad: 'p'.repeat(20000) } }));
      show('logout', await call(base, 'POST', '/auth/logout', { headers: { Cookie: login.headers.getSetCookie()[0]!.split(';')[0]!, Origin: 'https://app.example.com' } }));
      show('404path', await call(base, 'GET', '/nope'));
      show('methodnotallowed', await call(base, 'GET', '/auth/login'));
    } finally {
      await server.stop();
    }
  });
});
