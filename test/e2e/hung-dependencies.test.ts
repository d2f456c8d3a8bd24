import { FORGOT_PASSWORD_RESPONSE_FLOOR_MS } from '../../lib/accounts/password-recovery';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../scripts/dev/dynamodb-local';
import { freePort } from '../../scripts/dev/ports';
import { startSesLocal, type SesLocal } from '../../scripts/dev/ses-local';
import { PASSWORD, uniqueEmail } from '../support/fixtures';
import { bearer, call, type HttpResult } from '../support/http';
import { linkIn, tokenOfLink, waitForEmail } from '../support/inbox';
import { loadOpenApi } from '../support/openapi';
import { startTestServer } from '../support/server';

type Server = Awaited<ReturnType<typeof startTestServer>>;

// A hung store or mail service, reproduced by pausing the real local process (SIGSTOP: it still
// accepts connections, and never answers) of this file's own DynamoDB Local and SES emulator, so
// no other test file is disturbed. The server checks sessions in its authorizer too.
describe('a store or a mail service that does not answer (paused with SIGSTOP)', () => {
  const spec = loadOpenApi();
  let dynamo: DynamoDbLocal;
  let ses: SesLocal;
  let server: Server;
  let base: string;
  const paused = new Set<number>();
  const pause = (pid: number) => (process.kill(pid, 'SIGSTOP'), paused.add(pid));
  const resume = (pid: number) => (process.kill(pid, 'SIGCONT'), paused.delete(pid));

  beforeAll(async () => {
    [dynamo, ses] = await Promise.all([startDynamoDbLocal({ port: await freePort() }), startSesLocal({ port: await freePort() })]);
    server = await startTestServer({ DYNAMODB_ENDPOINT: dynamo.endpoint, SES_ENDPOINT: ses.endpoint, AUTHORIZER_CHECK_SESSION: 'true' });
    base = server.baseUrl;
  }, 180_000);
  afterEach(() => paused.forEach(resume));
  afterAll(async () => {
    paused.forEach(resume);
    await Promise.all([server?.stop(), dynamo?.stop(), ses?.stop()]);
  });

  const timed = async (method: string, path: string, options: Parameters<typeof call>[3] = {}): Promise<HttpResult & { ms: number }> => {
    const started = Date.now();
    const result = await call(base, method, path, options);
    const ms = Date.now() - started;
    const problems = spec.validateResponse(method, path, result.status, result.body, result.headers);
    expect({ path, problems }).toEqual({ path, problems: [] });
    return { ...result, ms };
  };
  const register = (email: string) => timed('POST', '/auth/register', { json: { email, password: PASSWORD } });
  const login = (email: string) => timed('POST', '/auth/login', { json: { email, password: PASSWORD } });

  it('with DynamoDB paused, login, refresh, register and forgot-password answer 503 service_unavailable with Retry-After within 5 s, and the authorizer refuses within its 3 s; nothing is half-written', async () => {
    const known = uniqueEmail('hung');
    expect((await register(known)).status).toBe(201);
    const tokens = (await login(known)).body as { access_token: string; refresh_token: string };
    // The authorizer started (with another session: a session it has checked is cached as live for 10 s).
    expect((await timed('GET', '/me', { headers: bearer((await login(known)).body.access_token) })).status).toBe(200);
    const newcomer = uniqueEmail('newcomer');
    pause(dynamo.pid);

    const [loggedIn, refreshed, registered, forgot, me] = await Promise.all([
      login(known),
      timed('POST', '/auth/refresh', { json: { refresh_token: tokens.refresh_token } }),
      register(newcomer),
      timed('POST', '/auth/password/forgot', { json: { email: known } }),
      timed('GET', '/me', { headers: bearer(tokens.access_token) }),
    ]);
    resume(dynamo.pid);

    for (const [name, result] of Object.entries({ loggedIn, refreshed, registered, forgot })) {
      expect({ name, status: result.status, error: result.body?.error }).toEqual({ name, status: 503, error: 'service_unavailable' });
      expect({ name, retryAfter: Number(result.headers.get('retry-after')) }).toEqual({ name, retryAfter: expect.any(Number) });
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect({ name, within5s: result.ms < 5_000 }).toEqual({ name, within5s: true });
    }
    // A session that cannot be checked is refused, never allowed, and never a timeout.
    expect({ status: me.status, ms: me.ms, within3s: me.ms < 3_000 }).toEqual({ status: 401, ms: me.ms, within3s: true });

    // Nothing half-written. The refresh either never rotated, or its rotation landed after the
    // client gave up: retried at once (Retry-After is shorter than the grace window), it works.
    expect((await timed('POST', '/auth/refresh', { json: { refresh_token: tokens.refresh_token } })).status).toBe(200);
    // The paused login opened no session: the account still has exactly the two opened before.
    const sessions = await timed('GET', '/auth/sessions', { headers: bearer(tokens.access_token) });
    expect(sessions.body.sessions).toHaveLength(2);
    // The account of the paused registration exists whole (its transaction landed later) or not at all.
    const again = await register(newcomer);
    if (again.status === 409) expect((await login(newcomer)).status).toBe(200);
    else expect(again.status).toBe(201);
  }, 60_000);

  it('with SES paused, forgot-password answers 202 at its floor for known and unknown emails, register answers 201, and the emails SES never delivered arrive through the outbox', async () => {
    const known = uniqueEmail('known');
    expect((await register(known)).status).toBe(201);
    const newcomer = uniqueEmail('later');
    pause(ses.pid);

    const forKnown = await timed('POST', '/auth/password/forgot', { json: { email: known } });
    const forUnknown = await timed('POST', '/auth/password/forgot', { json: { email: uniqueEmail('nobody') } });
    const registered = await register(newcomer);

    for (const result of [forKnown, forUnknown]) {
      expect(result.status).toBe(202);
      expect(result.body).toEqual({ status: 'accepted' });
      expect(result.ms).toBeGreaterThanOrEqual(FORGOT_PASSWORD_RESPONSE_FLOOR_MS);
      // Bounded: the stalled send was given up inside the floor (the equal timing is measured by npm run bench).
      expect(result.ms).toBeLessThan(FORGOT_PASSWORD_RESPONSE_FLOOR_MS + 900);
    }
    expect({ status: registered.status, within5s: registered.ms < 5_000 }).toEqual({ status: 201, within5s: true });

    // What the paused emulator was given never arrives: it is killed, and a new one takes its port.
    const port = Number(new URL(ses.endpoint).port);
    process.kill(ses.pid, 'SIGKILL');
    paused.delete(ses.pid);
    await ses.exited;
    ses = await startSesLocal({ port });
    // The outbox retry (every minute; serverless-offline runs the schedule as EventBridge would)
    // sends them again, a minute after a send that got no answer, with fresh links that work.
    const [reset, confirm] = await Promise.all([
      waitForEmail(ses.endpoint, { to: known, subjectIncludes: 'Reset your' }, 180_000),
      waitForEmail(ses.endpoint, { to: newcomer, subjectIncludes: 'Confirm' }, 180_000),
    ]);
    expect((await timed('POST', '/auth/password/reset', { json: { token: tokenOfLink(linkIn(reset)), password: 'a brand new passphrase' } })).status).toBe(204);
    expect((await timed('POST', '/auth/email/verify', { json: { token: tokenOfLink(linkIn(confirm)) } })).status).toBe(204);
  }, 240_000);
});
