import { runInNewContext } from 'node:vm';
import OfflineGatewayResponses from '../../../infra/plugins/offline-gateway-responses.js';
import { entryModule } from '../../../infra/plugins/offline-entries.js';

const { gatewayAnswer } = OfflineGatewayResponses;
const boom = (statusCode: number, error: string) => JSON.stringify({ statusCode, error, message: 'User is not authorized to access this resource' });

describe('offline gateway responses (infra/plugins/offline-gateway-responses.js)', () => {
  it('answers serverless-offline’s own 401 as API Gateway’s UNAUTHORIZED response: invalid_token and its WWW-Authenticate', () => {
    expect(gatewayAnswer(401, boom(401, 'Unauthorized'), undefined)).toEqual({
      body: { error: 'invalid_token', message: expect.any(String) },
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  });

  it('answers its 403 as ACCESS_DENIED: access_denied, with the WWW-Authenticate the authorizer put in its context', () => {
    const scope = 'Bearer error="insufficient_scope", scope="profile:read"';
    expect(gatewayAnswer(403, boom(403, 'Forbidden'), scope)).toEqual({ body: { error: 'access_denied', message: expect.any(String) }, headers: { 'www-authenticate': scope } });
    expect(gatewayAnswer(403, boom(403, 'Forbidden'), undefined)).toEqual({ body: { error: 'access_denied', message: expect.any(String) }, headers: {} });
  });

  it('leaves the service’s own 401 and 403 alone', () => {
    expect(gatewayAnswer(403, JSON.stringify({ error: 'reauthentication_required', message: 'Sign in again.' }), undefined)).toBeUndefined();
    expect(gatewayAnswer(401, JSON.stringify({ error: 'invalid_credentials', message: 'No.' }), undefined)).toBeUndefined();
    expect(gatewayAnswer(403, 'not json', undefined)).toBeUndefined();
    expect(gatewayAnswer(403, boom(401, 'Unauthorized'), undefined)).toBeUndefined();
  });

  it('each offline bundle reports its function’s answer to the hook, and passes it on unchanged', async () => {
    const reported: unknown[] = [];
    const sandbox: Record<string, unknown> = { exports: {}, process: { env: {} }, require: () => ({ handler: async () => ({ principalId: 'u', context: { www_authenticate: 'x' } }) }) };
    runInNewContext(`globalThis[Symbol.for('jwt-auth.offline.function-answer')] = (answer) => report(answer);`, Object.assign(sandbox, { report: (answer: unknown) => reported.push(answer) }));
    runInNewContext(entryModule({ source: '/src/a.ts', exportPath: 'handler', foreign: [] }), sandbox);
    const answer = await (sandbox.exports as { handler: (event: unknown, context: unknown, callback: unknown) => Promise<unknown> }).handler({}, {}, undefined);
    expect(answer).toEqual({ principalId: 'u', context: { www_authenticate: 'x' } });
    expect(reported).toEqual([answer]);
  });
});
