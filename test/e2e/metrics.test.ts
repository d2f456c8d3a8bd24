import { bearer, call, sleep } from '../support/http';
import { startTestServer } from '../support/server';
import { PASSWORD, uniqueEmail } from '../support/fixtures';

type EmfLine = { _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } } & Record<string, unknown>;

/** The CloudWatch EMF lines among the functions' output. */
function emfLines(output: string): EmfLine[] {
  return output
    .split('\n')
    .map((line) => line.slice(line.indexOf('{')))
    .filter((line) => line.includes('"_aws"'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as EmfLine];
      } catch {
        return [];
      }
    });
}

/** Sum of one metric's values over every line that declares it, with the dimensions it was declared with. */
function totals(lines: EmfLine[], name: string) {
  let total = 0;
  const dimensions = new Set<string>();
  for (const line of lines) {
    for (const directive of line._aws.CloudWatchMetrics) {
      if (!directive.Metrics.some((metric) => metric.Name === name)) continue;
      const value = line[name];
      total += Array.isArray(value) ? value.reduce((sum: number, item: number) => sum + item, 0) : Number(value);
      for (const set of directive.Dimensions) dimensions.add(set.join(','));
      expect(directive.Namespace).toBe('jwt-auth/dev');
    }
  }
  return { total, dimensions: [...dimensions].sort() };
}

// The EMF lines a real local login, refresh and reuse emit (serverless-offline prints them as Lambda would).
describe('metrics (CloudWatch EMF on stdout)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ LOG_LEVEL: 'warn' });
  });
  afterAll(() => server?.stop());

  it('counts logins, failures, refreshes, a reuse and the revoked session, with the service dimension only', async () => {
    const base = server.baseUrl;
    const before = emfLines(server.output()).length;
    const email = uniqueEmail('metrics');
    await call(base, 'POST', '/auth/register', { json: { email, password: PASSWORD } });
    expect((await call(base, 'POST', '/auth/login', { json: { email, password: 'wrong password!' } })).status).toBe(401);
    const login = await call(base, 'POST', '/auth/login', { json: { email, password: PASSWORD } });
    const first = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
    const second = await call(base, 'POST', '/auth/refresh', { json: { refresh_token: first.body.refresh_token } });
    expect(second.status).toBe(200);
    // Two generations back: reuse, which revokes the session.
    expect((await call(base, 'POST', '/auth/refresh', { json: { refresh_token: login.body.refresh_token } })).status).toBe(401);
    expect((await call(base, 'GET', '/me', { headers: bearer(second.body.access_token) })).status).toBe(200);
    await sleep(500);
    const lines = emfLines(server.output()).slice(before);
    expect(totals(lines, 'LoginSucceeded')).toEqual({ total: 1, dimensions: ['service'] });
    expect(totals(lines, 'LoginFailed')).toEqual({ total: 1, dimensions: ['service'] });
    expect(totals(lines, 'RefreshSucceeded')).toEqual({ total: 2, dimensions: ['service'] });
    expect(totals(lines, 'RefreshTokenReuse')).toEqual({ total: 1, dimensions: ['service'] });
    expect(totals(lines, 'SessionRevoked')).toEqual({ total: 1, dimensions: ['service'] });
    for (const line of lines) {
      expect(line.service).toBe('jwt-auth');
      expect(JSON.stringify(line)).not.toContain(email);
      expect(Object.keys(line)).not.toEqual(expect.arrayContaining(['userId']));
    }
  });
});
