/**
 * `npm run demo`: the token flow step by step against a running `npm start`, through the client
 * with body delivery (as a CLI keeps its refresh token). Prints every request it makes.
 *
 *   BASE_URL               the API [http://localhost:$PORT/dev, PORT 3000]
 *   DEMO_MAX_WAIT_SECONDS  the longest it waits for an access token to expire [60]
 *
 * To watch the expiry, start the server with a short lifetime: ACCESS_TOKEN_TTL_SECONDS=10 npm start.
 */
import { randomBytes } from 'node:crypto';
import { AuthError, createAuthClient, memoryStorage, type Transport } from '../client';

export interface DemoOptions {
  readonly baseUrl: string;
  readonly maxWaitSeconds: number;
  readonly print: (line: string) => void;
}

const PASSWORD = 'correct horse battery staple';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the walk-through; resolves to whether every step answered as the contract says. */
export async function runDemo({ baseUrl, maxWaitSeconds, print }: DemoOptions): Promise<boolean> {
  let ok = true;
  const check = (condition: boolean, expected: string) => {
    print(condition ? `   ✓ ${expected}` : `   ✗ expected ${expected}`);
    ok &&= condition;
  };
  let stepNumber = 0;
  const step = (title: string) => print(`\n${++stepNumber}. ${title}`);

  const transport: Transport = async (request) => {
    const response = await fetch(request);
    const bearer = request.headers.has('authorization') ? ' with a Bearer token' : '';
    print(`   → ${request.method} ${new URL(request.url).pathname}${bearer}: ${response.status} ${response.statusText}`);
    return response;
  };
  const storage = memoryStorage();
  const client = createAuthClient({ baseUrl, delivery: 'body', storage, fetch: transport });
  client.addEventListener('refreshed', (event) => print(`   client: refreshed, new access token valid ${event.tokens.expiresIn} s`));
  client.addEventListener('logged-out', (event) => print(`   client: logged out (${event.reason})`));

  print(`Auth service walk-through against ${baseUrl}`);
  const email = `demo-${randomBytes(4).toString('hex')}@example.com`;
  step(`Register ${email}`);
  try {
    await client.register({ email, password: PASSWORD });
  } catch (error) {
    if (error instanceof AuthError && error.code === 'network_error') {
      print(`   Cannot reach ${baseUrl}. Is \`npm start\` running (set BASE_URL or PORT otherwise)?`);
      return false;
    }
    throw error;
  }

  step('Log in (the refresh token comes back in the body)');
  const tokens = await client.login({ email, password: PASSWORD });
  print(`   access token valid ${tokens.expiresIn} s, session ${tokens.sessionId}`);

  step('Call GET /me with the access token');
  const me = await client.fetch('/me');
  const meBody = (await me.json()) as { email?: string; session_id?: string };
  print(`   ${JSON.stringify(meBody)}`);
  check(me.status === 200 && meBody.email === email, `200 and ${email}`);

  const expiredToken = storage.current!.accessToken;
  step('Let the access token expire');
  const waitSeconds = tokens.expiresIn + 1;
  const waited = waitSeconds <= maxWaitSeconds;
  if (waited) {
    for (let left = waitSeconds; left > 0; left -= 1) {
      print(`   ${left} s...`);
      await sleep(1000);
    }
    print('   expired');
  } else {
    print(`   skipped: access tokens live ${tokens.expiresIn} s here, longer than DEMO_MAX_WAIT_SECONDS (${maxWaitSeconds}).`);
    print('   Start the server with a short lifetime (ACCESS_TOKEN_TTL_SECONDS=10 npm start) to watch one expire.');
  }

  step('Call GET /me with the expired token (no client: nothing refreshes it)');
  if (waited) {
    const refused = await transport(new Request(`${client.baseUrl}/me`, { headers: { Authorization: `Bearer ${expiredToken}` } }));
    print(`   ${await refused.text()}`);
    check(refused.status === 401, '401 from the authorizer');
  } else {
    print('   skipped: the token has not expired');
  }

  step('Call GET /me through the client: it refreshes first, then calls');
  if (!waited) await client.refresh();
  const again = await client.fetch('/me');
  const againBody = (await again.json()) as { session_id?: string };
  print(`   ${JSON.stringify(againBody)}`);
  check(again.status === 200 && againBody.session_id === meBody.session_id, '200, same session');

  const lastRefreshToken = storage.current!.refreshToken!;
  step('Log out');
  await client.logout();
  check(!client.isLoggedIn, 'the client holds no token any more');

  step('Refresh with the refresh token of the ended session');
  const refused = await transport(
    new Request(`${client.baseUrl}/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: lastRefreshToken }),
    }),
  );
  const refusedBody = (await refused.json()) as { error?: string };
  print(`   ${JSON.stringify(refusedBody)}`);
  check(refused.status === 401 && refusedBody.error === 'invalid_refresh_token', '401 invalid_refresh_token');

  print(ok ? '\nDone: every step answered as the contract says.' : '\nSome steps did not answer as the contract says.');
  return ok;
}

if (require.main === module) {
  const baseUrl = process.env.BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}/dev`;
  runDemo({ baseUrl, maxWaitSeconds: Number(process.env.DEMO_MAX_WAIT_SECONDS ?? 60), print: (line) => console.log(line) }).then(
    (ok) => (process.exitCode = ok ? 0 : 1),
    (error: unknown) => {
      console.error(error instanceof AuthError ? `${error.code}: ${error.message}` : error);
      process.exitCode = 1;
    },
  );
}
