import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccessTokenIssuer } from '../../lib/tokens/access-token-issuer';
import { AccessTokenRejectedError, type AccessTokenVerifier } from '../../lib/tokens/reference-verifier';
import { createAuthorizerHandler, type AuthorizerDeps, type AuthorizerEvent, type AuthorizerResult } from '../../lib/authorizer/authorizer';
import { createAuthorizerDeps } from '../../lib/authorizer/authorizer-setup';
import { importSigningKey } from '../../lib/tokens/keys';
import { capturingLogger, testEnv } from '../support/fixtures';
import { ALGORITHMS, attackTokens, AUDIENCE, createTokenKit, ISSUER, NOW, segmentsOf, TTL_SECONDS, type TokenKit } from '../support/forge';
import { importVerificationKeyObjects } from '../../lib/tokens/access-token-verifier';

/** Events as API Gateway sends them; `{access_token}` stands where the caller's token goes. */
const SHAPES = ['REST TOKEN', 'REST REQUEST', 'HTTP API v2 REQUEST'] as const;
type Shape = (typeof SHAPES)[number];
const FIXTURE_FILES: Record<Shape, string> = {
  'REST TOKEN': 'rest-token.json',
  'REST REQUEST': 'rest-request.json',
  'HTTP API v2 REQUEST': 'http-api-v2-request.json',
};
const fixture = (shape: Shape): Record<string, any> =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'authorizer-events', FIXTURE_FILES[shape]), 'utf8'));

const REST_RESOURCE = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/*/*';

/** The fixture of a shape with this Authorization header value (undefined: no such header). */
function eventFor(shape: Shape, authorization: string | undefined): AuthorizerEvent {
  const event = fixture(shape);
  if (shape === 'REST TOKEN') {
    // API Gateway does not call a TOKEN authorizer without the header; an empty one is the closest.
    event.authorizationToken = authorization ?? '';
  } else if (shape === 'REST REQUEST') {
    delete event.headers.Authorization;
    delete event.multiValueHeaders.Authorization;
    if (authorization !== undefined) {
      event.headers.Authorization = authorization;
      event.multiValueHeaders.Authorization = [authorization];
    }
  } else {
    delete event.headers.authorization;
    event.identitySource = authorization === undefined ? [] : [authorization];
    if (authorization !== undefined) event.headers.authorization = authorization;
  }
  return event as AuthorizerEvent;
}

type Decision = { allowed: true; principalId?: string; resource?: string; context: unknown } | { allowed: false } | { unexpected: unknown };

/**
 * What API Gateway would make of the handler's answer. A REST refusal must be exactly
 * `Error('Unauthorized')` (a 401); any other throw would be a 500, so it is reported as unexpected.
 */
async function decide(handler: (event: AuthorizerEvent) => Promise<AuthorizerResult>, shape: Shape, event: AuthorizerEvent): Promise<Decision> {
  let result: AuthorizerResult;
  try {
    result = await handler(event);
  } catch (error) {
    const exact = shape !== 'HTTP API v2 REQUEST' && error instanceof Error && Object.getPrototypeOf(error) === Error.prototype && error.message === 'Unauthorized';
    return exact ? { allowed: false } : { unexpected: error };
  }
  if (shape === 'HTTP API v2 REQUEST') {
    if (!('isAuthorized' in result)) return { unexpected: result };
    return result.isAuthorized === true ? { allowed: true, context: result.context } : result.isAuthorized === false ? { allowed: false } : { unexpected: result };
  }
  if (!('policyDocument' in result)) return { unexpected: result };
  const statements = result.policyDocument.Statement as Array<{ Effect: string; Resource: string }>;
  if (result.policyDocument.Version !== '2012-10-17' || statements.length !== 1 || statements[0]!.Effect !== 'Allow') return { unexpected: result };
  return { allowed: true, principalId: result.principalId, resource: statements[0]!.Resource, context: result.context };
}

const KITS: TokenKit[] = ALGORITHMS.map(createTokenKit);

describe.each(KITS.map((kit) => [kit.algorithm, kit] as const))('authorizer handler, %s', (_algorithm, kit) => {
  let handler: (event: AuthorizerEvent) => Promise<AuthorizerResult>;
  let handlerWithoutSkew: (event: AuthorizerEvent) => Promise<AuthorizerResult>;
  beforeAll(async () => {
    handler = createAuthorizerHandler(createAuthorizerDeps(await testEnv(kit.env), { clock: kit.clock }));
    handlerWithoutSkew = createAuthorizerHandler(createAuthorizerDeps(await testEnv({ ...kit.env, CLOCK_SKEW_SECONDS: '0' }), { clock: kit.clock }));
  });

  const issue = async (scope?: string) => {
    const issuer = createAccessTokenIssuer({ signingKey: await importSigningKey(kit.config), issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS, clock: kit.clock });
    return (await issuer.issue({ userId: 'user-42', sessionId: 'session-7', ...(scope === undefined ? {} : { scope }) })).token;
  };

  it('REST TOKEN: allows the whole API for a valid token, principalId = sub, string context', async () => {
    const token = await issue('profile:read');
    await expect(handler(eventFor('REST TOKEN', `Bearer ${token}`))).resolves.toEqual({
      principalId: 'user-42',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: REST_RESOURCE }] },
      context: { sub: 'user-42', sid: 'session-7', scope: 'profile:read' },
    });
  });

  it('REST REQUEST: the same policy', async () => {
    const token = await issue();
    await expect(handler(eventFor('REST REQUEST', `Bearer ${token}`))).resolves.toEqual({
      principalId: 'user-42',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: REST_RESOURCE }] },
      context: { sub: 'user-42', sid: 'session-7', scope: '' },
    });
  });

  it('HTTP API v2: a simple response with the context', async () => {
    const token = await issue('a b');
    await expect(handler(eventFor('HTTP API v2 REQUEST', `Bearer ${token}`))).resolves.toEqual({
      isAuthorized: true,
      context: { sub: 'user-42', sid: 'session-7', scope: 'a b' },
    });
  });

  it('gives the same decision and context for one token in all three event shapes', async () => {
    const token = await issue('read');
    const decisions = await Promise.all(SHAPES.map(async (shape) => decide(handler, shape, eventFor(shape, `Bearer ${token}`))));
    for (const decision of decisions) expect(decision).toMatchObject({ allowed: true, context: { sub: 'user-42', sid: 'session-7', scope: 'read' } });
    const contexts = decisions.map((decision) => ('context' in decision ? decision.context : undefined));
    expect(contexts[1]).toEqual(contexts[0]);
    expect(contexts[2]).toEqual(contexts[0]);
    for (const value of Object.values(contexts[0] as object)) expect(typeof value).toBe('string');
  });

  it('scopes the REST policy to the API and stage, whatever the method and path', async () => {
    const token = await issue();
    const event = eventFor('REST TOKEN', `Bearer ${token}`) as { methodArn: string };
    event.methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/DELETE/auth/sessions/abc';
    await expect(decide(handler, 'REST TOKEN', event as AuthorizerEvent)).resolves.toMatchObject({ allowed: true, principalId: 'user-42', resource: REST_RESOURCE });
  });

  // White space around a header value is not part of it (RFC 9110, 5.5), so these two are the
  // valid token once inside `Authorization: Bearer ...`; the verifier refuses them as bare strings.
  const HEADER_WHITESPACE = new Set(['token with a leading space', 'token with a trailing newline']);
  const attacks = attackTokens(kit).filter((attack) => !HEADER_WHITESPACE.has(attack.name));

  it.each(attacks.map((attack) => [attack.name, attack.token] as const))('refuses %s in every event shape', async (_case, token) => {
    for (const shape of SHAPES) {
      await expect(decide(handler, shape, eventFor(shape, `Bearer ${token}`))).resolves.toEqual({ allowed: false });
    }
  });

  it('treats exp == now as expired and exp == now + 1 as valid (CLOCK_SKEW_SECONDS=0)', async () => {
    for (const shape of SHAPES) {
      await expect(decide(handlerWithoutSkew, shape, eventFor(shape, `Bearer ${kit.token({ exp: NOW })}`))).resolves.toEqual({ allowed: false });
      await expect(decide(handlerWithoutSkew, shape, eventFor(shape, `Bearer ${kit.token({ exp: NOW + 1 })}`))).resolves.toMatchObject({ allowed: true });
    }
  });
});

describe('authorizer handler, the Authorization header', () => {
  const kit = KITS[0]!;
  let handler: (event: AuthorizerEvent) => Promise<AuthorizerResult>;
  let token: string;
  beforeAll(async () => {
    handler = createAuthorizerHandler(createAuthorizerDeps(await testEnv(kit.env), { clock: kit.clock }));
    token = kit.token();
  });

  it.each(SHAPES)('%s: matches the scheme without regard to case', async (shape) => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      await expect(decide(handler, shape, eventFor(shape, `${scheme} ${token}`))).resolves.toMatchObject({ allowed: true, context: { sub: 'user-0b7c5e0e' } });
    }
  });

  it.each(SHAPES)('%s: refuses a missing header, another scheme or a malformed value', async (shape) => {
    const values = [
      undefined,
      '',
      token,
      `Basic ${token}`,
      `Basic ${Buffer.from('user:password').toString('base64')}`,
      `Token ${token}`,
      `JWT ${token}`,
      `Bearer`,
      `Bearer `,
      `Bearer${token}`,
      `Bearer\t${token}`,
      `Bearer ${token} extra`,
      `Bearer ${token},Bearer ${token}`,
      `Bearer ${token}, Bearer ${token}`,
      'Bearer {access_token}',
    ];
    for (const value of values) {
      await expect(decide(handler, shape, eventFor(shape, value))).resolves.toEqual({ allowed: false });
    }
  });

  it.each(SHAPES)('%s: ignores white space around the header value and between scheme and token', async (shape) => {
    for (const value of [` Bearer ${token}`, `Bearer ${token} `, `Bearer ${token}\t`, `Bearer   ${token}`]) {
      await expect(decide(handler, shape, eventFor(shape, value))).resolves.toMatchObject({ allowed: true });
    }
  });

  it('REST REQUEST: finds the header whatever the case of its name', async () => {
    const event = eventFor('REST REQUEST', undefined) as { headers: Record<string, string> };
    event.headers.authorization = `Bearer ${token}`;
    await expect(decide(handler, 'REST REQUEST', event as AuthorizerEvent)).resolves.toMatchObject({ allowed: true });
  });

  it('REST REQUEST: never reads a token from the query string', async () => {
    const event = eventFor('REST REQUEST', undefined) as Record<string, any>;
    event.queryStringParameters = { access_token: token, token, authorization: `Bearer ${token}`, Authorization: `Bearer ${token}` };
    event.multiValueQueryStringParameters = Object.fromEntries(Object.entries(event.queryStringParameters).map(([name, value]) => [name, [value]]));
    event.path = `/me?access_token=${token}`;
    await expect(decide(handler, 'REST REQUEST', event as AuthorizerEvent)).resolves.toEqual({ allowed: false });
  });

  it('HTTP API v2: never reads a token from the query string, identitySource or cookies', async () => {
    const event = eventFor('HTTP API v2 REQUEST', undefined) as Record<string, any>;
    event.rawQueryString = `access_token=${token}&token=${token}`;
    event.queryStringParameters = { access_token: token, token, authorization: `Bearer ${token}` };
    // As with identitySource "$request.querystring.access_token".
    event.identitySource = [token];
    event.cookies = [`access_token=${token}`, `authorization=Bearer ${token}`];
    await expect(decide(handler, 'HTTP API v2 REQUEST', event as AuthorizerEvent)).resolves.toEqual({ allowed: false });
  });

  it('REST: refuses a methodArn it cannot scope, even with a valid token', async () => {
    for (const methodArn of ['', 'not-an-arn/dev/GET/me', 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5']) {
      const event = eventFor('REST TOKEN', `Bearer ${token}`) as { methodArn: string };
      event.methodArn = methodArn;
      await expect(decide(handler, 'REST TOKEN', event as AuthorizerEvent)).resolves.toEqual({ allowed: false });
    }
  });
});

describe('authorizer handler with injected dependencies', () => {
  const kit = KITS[0]!;
  const principal = { sub: 'user-1', sid: 'session-1', scope: '', jti: 'j', exp: NOW + 60 };

  it.each(SHAPES)('%s: turns any failure of the verifier into the one refusal', async (shape) => {
    const failures: AccessTokenVerifier[] = [
      async () => {
        throw new AccessTokenRejectedError('unknown kid');
      },
      async () => {
        throw new TypeError('Key must be one of type CryptoKey');
      },
      async () => {
        throw new DOMException('The operation failed', 'OperationError');
      },
      async () => {
        throw 'a string';
      },
      async () => Promise.reject(undefined),
    ];
    for (const verify of failures) {
      const handler = createAuthorizerHandler(Promise.resolve({ verify, logger: capturingLogger().logger }));
      await expect(decide(handler, shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toEqual({ allowed: false });
    }
  });

  it.each(SHAPES)('%s: refuses when the session check says no or fails', async (shape) => {
    const checks: NonNullable<AuthorizerDeps['isSessionLive']>[] = [async () => false, async () => Promise.reject(new Error('DynamoDB unavailable'))];
    for (const isSessionLive of checks) {
      const handler = createAuthorizerHandler(Promise.resolve({ verify: async () => principal, isSessionLive, logger: capturingLogger().logger }));
      await expect(decide(handler, shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toEqual({ allowed: false });
    }
    const live = createAuthorizerHandler(Promise.resolve({ verify: async () => principal, isSessionLive: async () => true, logger: capturingLogger().logger }));
    await expect(decide(live, shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toMatchObject({ allowed: true, context: { sub: 'user-1', sid: 'session-1', scope: '' } });
  });

  it('logs why it refused, never the token', async () => {
    const { createFastAccessTokenVerifier, importVerificationKeyObjects } = await import('../../lib/tokens/access-token-verifier');
    const verify = createFastAccessTokenVerifier({
      keySet: importVerificationKeyObjects(kit.config),
      issuer: ISSUER,
      audience: AUDIENCE,
      maxTokenAgeSeconds: TTL_SECONDS,
      clockSkewSeconds: 30,
      clock: kit.clock,
    });
    const log = capturingLogger();
    const handler = createAuthorizerHandler(Promise.resolve({ verify, logger: log.logger }));
    const tokens = [kit.token({ iss: 'https://attacker.example' }), kit.token({ exp: NOW - 3600, iat: NOW - 4500 }), kit.token({}, { kid: 'nope' }), kit.token()];
    for (const token of tokens) await decide(handler, 'REST TOKEN', eventFor('REST TOKEN', `Bearer ${token}`));
    expect(log.lines.filter((line) => line.message === 'authorization refused')).toHaveLength(3);
    for (const token of tokens) {
      const [header, payload, signature] = segmentsOf(token) as [string, string, string];
      for (const line of log.raw) {
        expect(line).not.toContain(signature);
        expect(line).not.toContain(payload);
        expect(line).not.toContain(header);
        expect(line).not.toContain('attacker.example');
      }
    }
  });
});

describe('createAuthorizerDeps', () => {
  it('refuses, at cold start, an RSA key shorter than 2048 bits', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const env = await testEnv({ JWT_ALG: 'RS256', JWT_PRIVATE_KEY: JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'short' }) });
    await expect(createAuthorizerDeps(env)).rejects.toThrow('verification key "short" is not an RSA public key of at least 2048 bits');
  });

  it('refuses, at cold start, an HS256 verification key shorter than 32 bytes', async () => {
    const weak = { kty: 'oct', k: Buffer.alloc(16, 7).toString('base64url'), kid: 'weak' };
    const env = await testEnv({ JWT_ALG: 'HS256', JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [weak] }) });
    await expect(createAuthorizerDeps(env)).rejects.toThrow('JWT_VERIFICATION_KEYS for HS256 needs "k" with at least 32 bytes');
    // The key import refuses it too, should a key set ever bypass the configuration check.
    const config = { algorithm: 'HS256' as const, privateJwk: undefined, extraVerificationJwks: [weak], issuer: 'i', audience: 'a', accessTokenTtlSeconds: 900, clockSkewSeconds: 0 };
    expect(() => importVerificationKeyObjects(config)).toThrow('verification key "weak" is not a secret of at least 32 bytes');
  });

  it('refuses, at cold start, an HS256 verification key without "k" (it would be the public 6-byte secret of "undefined")', async () => {
    const typo = { kty: 'oct', K: Buffer.alloc(32, 7).toString('base64url'), kid: 'typo' };
    const env = await testEnv({ JWT_ALG: 'HS256', JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [typo] }) });
    await expect(createAuthorizerDeps(env)).rejects.toThrow('JWT_VERIFICATION_KEYS for HS256 needs "k" with at least 32 bytes');
    const config = { algorithm: 'HS256' as const, privateJwk: undefined, extraVerificationJwks: [typo], issuer: 'i', audience: 'a', accessTokenTtlSeconds: 900, clockSkewSeconds: 0 };
    expect(() => importVerificationKeyObjects(config)).toThrow('verification key "typo" is not a secret of at least 32 bytes');
  });
});
