import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invokeLambda } from '../../scripts/dev/offline';
import { descendantsOf, listenersOf, LOOPBACK_ADDRESSES } from '../support/listeners';
import { killGroup, launchStart, pidOf, type RunningStart } from '../support/npm-start';

/** What a local `npm start` offers to the machine and to web pages: loopback only, no Invoke API on TCP, no CORS for other sites. */
describe('npm start, seen from outside', () => {
  let start: RunningStart;
  let dataDir: string;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-stack-dynamodb-'));
    start = await launchStart(dataDir);
    base = `http://127.0.0.1:${start.ports.port}/dev`;
  }, 120_000);

  afterAll(() => {
    if (start) killGroup(start);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only, on its three ports and no other TCP port (no Lambda Invoke port)', () => {
    const pids = ['serverless-offline', 'DynamoDB Local', 'SES emulator \\(aws-ses-v2-local\\)'].map((name) => pidOf(start, name));
    const processes = [start.child.pid!, ...descendantsOf(start.child.pid!), ...pids.flatMap((pid) => [pid, ...descendantsOf(pid)])];
    const listeners = [...new Set(processes)].flatMap((pid) => listenersOf(pid));

    expect(listeners.filter(({ address }) => !LOOPBACK_ADDRESSES.includes(address))).toEqual([]);
    expect(listeners.map(({ port }) => port).sort()).toEqual([start.ports.port, start.ports.dynamoDb, start.ports.ses].sort());
  });

  it('runs the functions on Node 24, and answers Lambda Invoke on its Unix socket only, not on the HTTP port', async () => {
    expect(start.output()).toMatch(/Starting on Node v24\./);
    expect(start.output()).toMatch(/\d+ functions (?:built|up to date) in \d+ ms .*on Node v24\./);
    const socket = /listening on http:\/\/127\.0\.0\.1:(\/\S+\/invoke\.sock)/.exec(start.output())?.[1];
    expect(socket).toBeDefined();

    const invoked = await invokeLambda(socket!, 'jwt-auth-dev-jwks', { httpMethod: 'GET', path: '/.well-known/jwks.json', headers: {}, requestContext: { stage: 'dev' } });
    expect(invoked.status).toBe(200);
    // The access-token key, then the RS256 ID-token key that npm start keeps under .keys/.
    expect(JSON.parse(JSON.parse(invoked.payload).body)).toMatchObject({ keys: [expect.objectContaining({ alg: 'ES256' }), expect.objectContaining({ alg: 'RS256', kid: expect.stringMatching(/^id-rs256-/) })] });

    const overHttp = await fetch(`http://127.0.0.1:${start.ports.port}/2015-03-31/functions/jwt-auth-dev-deleteAccount/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ requestContext: { authorizer: { principalId: 'someone' } } }),
    });
    expect(overHttp.status).toBe(404);
  });

  it('answers a preflight from another site, or from the null origin, without any CORS header', async () => {
    for (const origin of ['https://evil.example', 'null']) {
      for (const path of ['/auth/refresh', '/me', '/demo']) {
        const response = await fetch(`${base}${path}`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
        });
        const cors = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
        expect({ origin, path, cors }).toEqual({ origin, path, cors: [] });
      }
    }
  });

  it('never reflects a foreign origin on an answer either (serverless-offline\'s own 401, the demo page)', async () => {
    for (const path of ['/me', '/demo']) {
      const response = await fetch(`${base}${path}`, { headers: { origin: 'https://evil.example' } });
      expect(response.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('still answers the preflight of its own origin, with credentials', async () => {
    const origin = `http://localhost:${start.ports.port}`;
    const response = await fetch(`${base}/auth/refresh`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
  });
});
