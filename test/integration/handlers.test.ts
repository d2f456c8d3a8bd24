import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { jsonEvent, restEvent } from '../support/events';
import { PASSWORD, testEnv } from '../support/fixtures';
import { generateIdTokenJwk } from '../../scripts/dev/keys';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Loads a handler module fresh, with the environment it reads at cold start. */
async function loadHandler(name: string, env: Record<string, string | undefined>): Promise<Handler> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = require(`../../handlers/${name}`).handler;
    });
    return handler!;
  } finally {
    process.env = saved;
  }
}

const bodyOf = (result: APIGatewayProxyResult) => JSON.parse(result.body);

describe('handlers: request parsing and error mapping', () => {
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    env = await testEnv({ LOG_LEVEL: 'silent', CORS_ALLOWED_ORIGINS: 'https://app.example.com' });
  });

  it.each([
    ['malformed JSON', 400, 'invalid_request', jsonEvent('{"email":')],
    ['a JSON array', 400, 'invalid_request', jsonEvent([])],
    ['no body', 400, 'invalid_request', restEvent({})],
    ['a missing password', 400, 'invalid_request', jsonEvent({ email: 'a@example.com' })],
    ['a number as email', 400, 'invalid_request', jsonEvent({ email: 42, password: PASSWORD })],
    ['an email without @', 400, 'invalid_request', jsonEvent({ email: 'nobody.example.com', password: PASSWORD })],
    ['an email with two @', 400, 'invalid_request', jsonEvent({ email: 'a@b@example.com', password: PASSWORD })],
    ['an email over 254 characters', 400, 'invalid_request', jsonEvent({ email: `${'a'.repeat(250)}@example.com`, password: PASSWORD })],
    ['a 7-character password', 400, 'invalid_request', jsonEvent({ email: 'a@example.com', password: '1234567' })],
    ['a 257-code-point password', 400, 'invalid_request', jsonEvent({ email: 'a@example.com', password: '😀'.repeat(257) })],
    ['a text/plain body', 415, 'unsupported_media_type', restEvent({ body: '{}', headers: { 'Content-Type': 'text/plain' } })],
    ['a form body', 415, 'unsupported_media_type', restEvent({ body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } })],
    ['a body over 16 KiB', 413, 'payload_too_large', jsonEvent({ email: 'a@example.com', password: 'x'.repeat(17_000) })],
    ['a NUL inside the email', 400, 'invalid_request', jsonEvent({ email: 'nul\u0000l@example.com', password: PASSWORD })],
    ['a space inside the email', 400, 'invalid_request', jsonEvent({ email: 'ada lovelace@example.com', password: PASSWORD })],
    ['a tab inside the email', 400, 'invalid_request', jsonEvent({ email: 'ada\tl@example.com', password: PASSWORD })],
    ['a zero-width space inside the email', 400, 'invalid_request', jsonEvent({ email: 'ada\u200b@example.com', password: PASSWORD })],
    ['a display-name form of an email', 400, 'invalid_request', jsonEvent({ email: 'x<victim@example.com>', password: PASSWORD })],
    ['two addresses in one email field', 400, 'invalid_request', jsonEvent({ email: 'a,b@example.com', password: PASSWORD })],
    ['a local part of 65 characters', 400, 'invalid_request', jsonEvent({ email: `${'a'.repeat(65)}@example.com`, password: PASSWORD })],
    ['an email whose domain has no dot, outside local development', 400, 'invalid_request', jsonEvent({ email: 'a@localhost', password: PASSWORD })],
    ['an email whose domain is no host name', 400, 'invalid_request', jsonEvent({ email: 'a@ex%41mple.com', password: PASSWORD })],
    ['a password of 8 characters that NFKC shortens to 7', 400, 'invalid_request', jsonEvent({ email: 'a@example.com', password: 'abcdef\u0065\u0301' })],
    ['a JSON body of 0 handed over as a number', 400, 'invalid_request', restEvent({ body: 0 as unknown as string, headers: { 'Content-Type': 'application/json' } })],
    ['a JSON body of false handed over as a boolean', 400, 'invalid_request', restEvent({ body: false as unknown as string, headers: { 'Content-Type': 'application/json' } })],
    ['a parsed object handed over as an object', 400, 'invalid_request', restEvent({ body: { email: 1 } as unknown as string, headers: { 'Content-Type': 'application/json' } })],
  ])('register answers %s with %i %s', async (_what, status, code, event) => {
    const handler = await loadHandler('register', env);
    const result = await handler(event);
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result)).toEqual({ error: code, message: expect.any(String) });
    expect(result.headers?.['Content-Type']).toBe('application/json');
    expect(result.headers?.['Cache-Control']).toBe('no-store');
  });

  it.each([
    ['no body and no cookie', 401, 'invalid_refresh_token', restEvent({})],
    ['an empty JSON object', 401, 'invalid_refresh_token', jsonEvent({})],
    ['an empty string', 401, 'invalid_refresh_token', jsonEvent({ refresh_token: '' })],
    ['a 4,000-character string', 401, 'invalid_refresh_token', jsonEvent({ refresh_token: 'x'.repeat(4000) })],
    ['a token-shaped string we never issued', 401, 'invalid_refresh_token', jsonEvent({ refresh_token: `${'A'.repeat(22)}.${'B'.repeat(75)}` })],
    ['a number', 400, 'invalid_request', jsonEvent({ refresh_token: 42 })],
    ['null', 400, 'invalid_request', jsonEvent({ refresh_token: null })],
    ['a body of false', 400, 'invalid_request', restEvent({ body: false as unknown as string, headers: { 'Content-Type': 'application/json' } })],
  ])('refresh answers %s with %i %s', async (_what, status, code, event) => {
    const handler = await loadHandler('refresh', env);
    const result = await handler(event);
    expect(result.statusCode).toBe(status);
    expect(bodyOf(result)).toEqual({ error: code, message: expect.any(String) });
  });

  it('answers the JWKS of an HS256 stage with an empty list, without being given the secret key', async () => {
    const handler = await loadHandler('jwks', { ...env, JWT_ALG: 'HS256', JWT_PRIVATE_KEY: '', JWT_PRIVATE_KEY_PARAMETER: '/jwt-auth/prod/jwt-private-key' });
    const result = await handler(restEvent({ method: 'GET' }));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ keys: [] });
  });

  it('publishes the RS256 ID-token keys whatever JWT_ALG is, public members only, after the access-token keys', async () => {
    const current = await generateIdTokenJwk();
    const next = await generateIdTokenJwk();
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...nextPublic } = next;
    const idTokenEnv = { ID_TOKEN_PRIVATE_KEY: JSON.stringify(current), ID_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [nextPublic] }) };
    const hs256 = await loadHandler('jwks', { ...env, ...idTokenEnv, JWT_ALG: 'HS256', JWT_PRIVATE_KEY: '', JWT_PRIVATE_KEY_PARAMETER: '/jwt-auth/prod/jwt-private-key' });
    const published = bodyOf(await hs256(restEvent({ method: 'GET' }))) as { keys: Record<string, unknown>[] };
    expect(published.keys).toEqual([
      { kty: 'RSA', e: 'AQAB', n: current.n, kid: current.kid, alg: 'RS256', use: 'sig' },
      { kty: 'RSA', e: 'AQAB', n: next.n, kid: next.kid, alg: 'RS256', use: 'sig' },
    ]);
    const es256 = await loadHandler('jwks', { ...env, ...idTokenEnv });
    const both = bodyOf(await es256(restEvent({ method: 'GET' }))) as { keys: Record<string, unknown>[] };
    expect(both.keys.map((key) => key.alg)).toEqual(['ES256', 'RS256', 'RS256']);
    expect(JSON.stringify(both)).not.toMatch(/"(d|p|q|dp|dq|qi)":/);
  });

  it('refuses to start a JWKS whose ID-token key set holds a private key', async () => {
    const current = await generateIdTokenJwk();
    const handler = await loadHandler('jwks', { ...env, ID_TOKEN_PUBLIC_KEYS: JSON.stringify({ keys: [current] }) });
    await expect(handler(restEvent({ method: 'GET' }))).rejects.toThrow('ID_TOKEN_PUBLIC_KEYS must hold public keys only');
  });

  it('refuses a refresh that carries two refresh_token cookies (one may be planted by a sibling subdomain) with 401', async () => {
    const handler = await loadHandler('refresh', env);
    const result = await handler(
      restEvent({ headers: { Origin: 'https://app.example.com', Cookie: `refresh_token=${'A'.repeat(22)}.${'B'.repeat(75)}; refresh_token=${'C'.repeat(22)}.${'D'.repeat(75)}` } }),
    );
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result)).toEqual({ error: 'invalid_refresh_token', message: expect.any(String) });
  });

  it('refuses a cookie-borne refresh from a foreign origin with 403 csrf_rejected', async () => {
    const handler = await loadHandler('refresh', env);
    const result = await handler(restEvent({ headers: { Origin: 'https://evil.example', Cookie: `refresh_token=${'A'.repeat(22)}.${'B'.repeat(75)}` } }));
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result)).toEqual({ error: 'csrf_rejected', message: expect.any(String) });
  });

  it('accepts a charset parameter and a 256-code-point password', async () => {
    const handler = await loadHandler('register', env);
    const email = `charset-${Date.now()}@example.com`;
    const result = await handler(
      restEvent({ body: JSON.stringify({ email, password: '😀'.repeat(256) }), headers: { 'content-type': 'Application/JSON; charset=utf-8' } }),
    );
    expect(result.statusCode).toBe(201);
  });

  it('maps an unexpected error to a generic 500 with no stack trace', async () => {
    const handler = await loadHandler('me', env);
    const result = await handler(restEvent({ method: 'GET', path: '/me' }));
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ error: 'internal_error', message: 'Something went wrong on our side.' });
    expect(result.body).not.toMatch(/at |Error|authorizer/);
  });

  it('answers 503 service_unavailable when DynamoDB cannot be reached', async () => {
    const handler = await loadHandler('login', { ...env, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
    const result = await handler(jsonEvent({ email: 'a@example.com', password: PASSWORD }));
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toEqual({ error: 'service_unavailable', message: expect.any(String) });
    expect(result.body).not.toContain('access_token');
  });

  it('answers CORS for an allowed origin only, never reflecting another', async () => {
    const handler = await loadHandler('jwks', env);
    const allowed = await handler(restEvent({ method: 'GET', headers: { Origin: 'https://app.example.com' } }));
    expect(allowed.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Credentials': 'true' });
    const foreign = await handler(restEvent({ method: 'GET', headers: { Origin: 'https://evil.example' } }));
    expect(foreign.headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    expect(foreign.headers?.['Access-Control-Allow-Credentials']).toBeUndefined();
    expect(JSON.stringify(foreign.headers)).not.toContain('evil');
  });

  it('fails an invocation with a message that names the missing variable', async () => {
    const { REFRESH_TOKEN_HASH_KEY: _missing, ...withoutHashKey } = env;
    const handler = await loadHandler('refresh', { ...withoutHashKey, REFRESH_TOKEN_HASH_KEY: '' });
    await expect(handler(jsonEvent({ refresh_token: 'x' }))).rejects.toThrow(/Invalid configuration: REFRESH_TOKEN_HASH_KEY is required/);
  });
});
