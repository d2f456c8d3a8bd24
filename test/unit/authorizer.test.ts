import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createAuthorizerDeps,
  createAuthorizerHandler,
  type AuthorizerDecision,
  type AuthorizerDeps,
  type AuthorizerDenial,
  type AuthorizerEvent,
  type AuthorizerResult,
} from '../../lib/authorizer/authorizer';
import { compose, part } from '../../lib/compose/part';
import { ConfigError } from '../../lib/core/errors';
import { createAccessTokenIssuer } from '../../lib/tokens/access-token-issuer';
import { AccessTokenRejectedError, type AccessTokenPrincipal } from '../../lib/tokens/access-token-verifier';
import { importSigningKey, InvalidKeyError } from '../../lib/tokens/keys';
import { attackTokens } from '../support/attack-catalogue';
import { capturingLogger, testEnv } from '../support/fixtures';
import { segmentsOf } from '../support/jose-primitives';
import { ALGORITHMS, AUDIENCE, createTokenKit, ISSUER, NOW, TTL_SECONDS, verifierFor, type TokenKit } from '../support/token-kit';
import { sessionClaimsContext, sessionClaimsWith, type SessionClaims } from '../../lib/tokens/session-claims';

/** The context of session-7 of user-42 with these claims (their exact form: test/unit/tokens/session-claims.test.ts). */
const contextOf = (values: Partial<SessionClaims>) => ({ sub: 'user-42', sid: 'session-7', ...sessionClaimsContext(sessionClaimsWith(values)) });

/** Events as API Gateway sends them; `{access_token}` stands where the caller's token goes. */
const SHAPES = ['REST TOKEN', 'REST REQUEST', 'HTTP API v2 REQUEST'] as const;
type Shape = (typeof SHAPES)[number];
type EventJson = Record<string, unknown> & { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> };
const FIXTURE_FILES: Record<Shape, string> = {
  'REST TOKEN': 'rest-token.json',
  'REST REQUEST': 'rest-request.json',
  'HTTP API v2 REQUEST': 'http-api-v2-request.json',
};
const fixture = (shape: Shape): EventJson => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'authorizer-events', FIXTURE_FILES[shape]), 'utf8'));

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
  return event as unknown as AuthorizerEvent;
}

type Decision = { allowed: true; principalId?: string; resource?: string; context: unknown } | { allowed: false; reason: AuthorizerDenial | undefined } | { unexpected: unknown };
type Handler = (event: AuthorizerEvent) => Promise<AuthorizerResult>;

/**
 * A handler with a decision recorder, and what API Gateway would make of its answer. A REST refusal
 * must be exactly `Error('Unauthorized')` (a 401); any other throw would be a 500, so it is reported
 * as unexpected. A refusal carries the reason the decision hook was told.
 */
function harness(deps: Promise<AuthorizerDeps>) {
  const decisions: AuthorizerDecision[] = [];
  const handler: Handler = createAuthorizerHandler(() => deps.then((ready) => ({ ...ready, onDecision: (decision: AuthorizerDecision) => void decisions.push(decision) })));
  const decide = async (shape: Shape, event: AuthorizerEvent): Promise<Decision> => {
    const before = decisions.length;
    let result: AuthorizerResult;
    const refused = (): Decision => {
      const decision = decisions.length === before + 1 ? decisions[before] : undefined;
      return { allowed: false, reason: decision && !decision.allowed ? decision.reason : undefined };
    };
    try {
      result = await handler(event);
    } catch (error) {
      const exact = shape !== 'HTTP API v2 REQUEST' && error instanceof Error && Object.getPrototypeOf(error) === Error.prototype && error.message === 'Unauthorized';
      return exact ? refused() : { unexpected: error };
    }
    if (decisions.length !== before + 1) return { unexpected: `decision hook called ${decisions.length - before} times` };
    if (shape === 'HTTP API v2 REQUEST') {
      if (!('isAuthorized' in result)) return { unexpected: result };
      return result.isAuthorized === true ? { allowed: true, context: result.context } : result.isAuthorized === false ? refused() : { unexpected: result };
    }
    if (!('policyDocument' in result)) return { unexpected: result };
    const statements = result.policyDocument.Statement as Array<{ Effect: string; Resource: string }>;
    if (result.policyDocument.Version !== '2012-10-17' || statements.length !== 1 || statements[0]!.Effect !== 'Allow') return { unexpected: result };
    return { allowed: true, principalId: result.principalId, resource: statements[0]!.Resource, context: result.context };
  };
  return { handler, decide, decisions };
}

const KITS: TokenKit[] = ALGORITHMS.map(createTokenKit);

describe.each(KITS.map((kit) => [kit.algorithm, kit] as const))('authorizer handler, %s', (_algorithm, kit) => {
  const { handler, decide } = harness(testEnv(kit.env).then((env) => createAuthorizerDeps(env, { clock: kit.clock })));
  const withoutSkew = harness(testEnv({ ...kit.env, CLOCK_SKEW_SECONDS: '0' }).then((env) => createAuthorizerDeps(env, { clock: kit.clock })));

  const issue = async (scope?: string, amr: readonly string[] = ['pwd']) => {
    const issuer = createAccessTokenIssuer({ signingKey: await importSigningKey(kit.config), issuer: ISSUER, audience: AUDIENCE, ttlSeconds: TTL_SECONDS, clock: kit.clock });
    return (await issuer.issue({ userId: 'user-42', sessionId: 'session-7', claims: sessionClaimsWith({ amr, authTime: NOW - 60, scope: scope ?? '' }) })).token;
  };

  it('REST TOKEN: allows the whole API for a valid token, principalId = sub, string context with amr', async () => {
    const token = await issue('profile:read', ['pwd', 'otp', 'mfa']);
    await expect(handler(eventFor('REST TOKEN', `Bearer ${token}`))).resolves.toEqual({
      principalId: 'user-42',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: REST_RESOURCE }] },
      context: contextOf({ scope: 'profile:read', amr: ['pwd', 'otp', 'mfa'], authTime: NOW - 60 }),
    });
  });

  it('REST REQUEST: the same policy', async () => {
    const token = await issue();
    await expect(handler(eventFor('REST REQUEST', `Bearer ${token}`))).resolves.toEqual({
      principalId: 'user-42',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: REST_RESOURCE }] },
      context: contextOf({ amr: ['pwd'], authTime: NOW - 60 }),
    });
  });

  it('HTTP API v2: a simple response with the context', async () => {
    const token = await issue('a b', ['hwk', 'user', 'mfa']);
    await expect(handler(eventFor('HTTP API v2 REQUEST', `Bearer ${token}`))).resolves.toEqual({
      isAuthorized: true,
      context: contextOf({ scope: 'a b', amr: ['hwk', 'user', 'mfa'], authTime: NOW - 60 }),
    });
  });

  it('gives the same decision and string context for one token in all three event shapes', async () => {
    const token = await issue('read');
    const decisions: Decision[] = [];
    // One after the other: the harness pairs each answer with the hook's next decision.
    for (const shape of SHAPES) decisions.push(await decide(shape, eventFor(shape, `Bearer ${token}`)));
    const contexts = decisions.map((decision) => ('context' in decision ? decision.context : undefined));
    expect(contexts).toEqual([0, 1, 2].map(() => contextOf({ scope: 'read', amr: ['pwd'], authTime: NOW - 60 })));
  });

  it('gives an empty amr to a token issued before tokens carried one', async () => {
    await expect(decide('REST TOKEN', eventFor('REST TOKEN', `Bearer ${kit.token({ amr: undefined })}`))).resolves.toMatchObject({ allowed: true, context: { amr: '' } });
  });

  it('copies auth_time into the context, and 0 for a token issued before tokens carried it', async () => {
    await expect(decide('REST TOKEN', eventFor('REST TOKEN', `Bearer ${kit.token({ auth_time: NOW - 120 })}`))).resolves.toMatchObject({ allowed: true, context: { auth_time: NOW - 120 } });
    await expect(decide('REST TOKEN', eventFor('REST TOKEN', `Bearer ${kit.token({ auth_time: undefined })}`))).resolves.toMatchObject({ allowed: true, context: { auth_time: 0 } });
  });

  it('scopes the REST policy to the API and stage, whatever the method and path', async () => {
    const token = await issue();
    const event = eventFor('REST TOKEN', `Bearer ${token}`) as { methodArn: string };
    event.methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/DELETE/auth/sessions/abc';
    await expect(decide('REST TOKEN', event as AuthorizerEvent)).resolves.toMatchObject({ allowed: true, principalId: 'user-42', resource: REST_RESOURCE });
  });

  // White space around a header value is not part of it (RFC 9110, 5.5), so these two are the
  // valid token once inside `Authorization: Bearer ...`; the verifier refuses them as bare strings.
  const HEADER_WHITESPACE = new Set(['token with a leading space', 'token with a trailing newline']);
  const attacks = attackTokens(kit).filter((attack) => !HEADER_WHITESPACE.has(attack.name));

  it.each(attacks.map((attack) => [attack.name, attack] as const))('refuses %s in every event shape, telling the hook why', async (_case, attack) => {
    for (const shape of SHAPES) {
      // A space inside the token makes it no bearer token at all; a comma never reaches a token.
      const expected = /\s/.test(attack.token.trim()) ? 'no_bearer' : attack.code;
      await expect(decide(shape, eventFor(shape, `Bearer ${attack.token}`))).resolves.toEqual({ allowed: false, reason: expected });
    }
  });

  it('treats exp == now as expired and exp == now + 1 as valid (CLOCK_SKEW_SECONDS=0)', async () => {
    for (const shape of SHAPES) {
      await expect(withoutSkew.decide(shape, eventFor(shape, `Bearer ${kit.token({ exp: NOW })}`))).resolves.toEqual({ allowed: false, reason: 'expired' });
      await expect(withoutSkew.decide(shape, eventFor(shape, `Bearer ${kit.token({ exp: NOW + 1 })}`))).resolves.toMatchObject({ allowed: true });
    }
  });
});

describe('authorizer handler, the Authorization header', () => {
  const kit = KITS[0]!;
  const { decide } = harness(testEnv(kit.env).then((env) => createAuthorizerDeps(env, { clock: kit.clock })));
  const token = kit.token();

  it.each(SHAPES)('%s: matches the scheme without regard to case', async (shape) => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      await expect(decide(shape, eventFor(shape, `${scheme} ${token}`))).resolves.toMatchObject({ allowed: true, context: { sub: 'user-0b7c5e0e' } });
    }
  });

  it.each(SHAPES)('%s: refuses a missing header, another scheme or a malformed value as no_bearer', async (shape) => {
    const values = [undefined, '', token, `Basic ${token}`, `Basic ${Buffer.from('user:password').toString('base64')}`, `Token ${token}`, `JWT ${token}`, 'Bearer', 'Bearer ', `Bearer${token}`, `Bearer\t${token}`, `Bearer ${token} extra`];
    for (const value of values) {
      await expect(decide(shape, eventFor(shape, value))).resolves.toEqual({ allowed: false, reason: 'no_bearer' });
    }
  });

  it.each(SHAPES)('%s: refuses two values joined by a comma (HTTP API v2 joins repeated headers so)', async (shape) => {
    for (const value of [`Bearer ${token},Bearer ${token}`, `Bearer ${token}, Bearer ${token}`, `Bearer ${token}, Basic dXNlcjpwYXNz`, `Bearer ${token},`]) {
      await expect(decide(shape, eventFor(shape, value))).resolves.toEqual({ allowed: false, reason: 'multiple_authorization' });
    }
  });

  it('REST REQUEST: refuses two Authorization values in multiValueHeaders, even if both are valid', async () => {
    const event = eventFor('REST REQUEST', `Bearer ${token}`) as unknown as EventJson;
    event.multiValueHeaders.Authorization = [`Bearer ${token}`, `Bearer ${kit.token()}`];
    await expect(decide('REST REQUEST', event as unknown as AuthorizerEvent)).resolves.toEqual({ allowed: false, reason: 'multiple_authorization' });
  });

  it('REST REQUEST: refuses Authorization names that differ only in case, in either map', async () => {
    const spread = eventFor('REST REQUEST', `Bearer ${token}`) as unknown as EventJson;
    spread.multiValueHeaders.authorization = [`Bearer ${token}`];
    await expect(decide('REST REQUEST', spread as unknown as AuthorizerEvent)).resolves.toEqual({ allowed: false, reason: 'multiple_authorization' });
    const withoutMultiValue = eventFor('REST REQUEST', `Bearer ${token}`) as unknown as EventJson;
    delete (withoutMultiValue as Partial<EventJson>).multiValueHeaders;
    withoutMultiValue.headers.authorization = `Bearer ${token}`;
    await expect(decide('REST REQUEST', withoutMultiValue as unknown as AuthorizerEvent)).resolves.toEqual({ allowed: false, reason: 'multiple_authorization' });
  });

  it('REST REQUEST: reads headers when an emulator sends no multiValueHeaders', async () => {
    const event = eventFor('REST REQUEST', `Bearer ${token}`) as unknown as EventJson;
    delete (event as Partial<EventJson>).multiValueHeaders;
    await expect(decide('REST REQUEST', event as unknown as AuthorizerEvent)).resolves.toMatchObject({ allowed: true });
  });

  it.each(SHAPES)('%s: ignores white space around the header value and between scheme and token', async (shape) => {
    for (const value of [` Bearer ${token}`, `Bearer ${token} `, `Bearer ${token}\t`, `Bearer   ${token}`]) {
      await expect(decide(shape, eventFor(shape, value))).resolves.toMatchObject({ allowed: true });
    }
  });

  it('REST REQUEST: finds the header whatever the case of its name', async () => {
    const event = eventFor('REST REQUEST', undefined) as unknown as EventJson;
    event.headers.authorization = `Bearer ${token}`;
    event.multiValueHeaders.authorization = [`Bearer ${token}`];
    await expect(decide('REST REQUEST', event as unknown as AuthorizerEvent)).resolves.toMatchObject({ allowed: true });
  });

  it('REST REQUEST: never reads a token from the query string', async () => {
    const event = eventFor('REST REQUEST', undefined) as unknown as EventJson;
    const query = { access_token: token, token, authorization: `Bearer ${token}`, Authorization: `Bearer ${token}` };
    event.queryStringParameters = query;
    event.multiValueQueryStringParameters = Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]]));
    event.path = `/me?access_token=${token}`;
    await expect(decide('REST REQUEST', event as unknown as AuthorizerEvent)).resolves.toEqual({ allowed: false, reason: 'no_bearer' });
  });

  it('HTTP API v2: never reads a token from the query string, identitySource or cookies', async () => {
    const event = eventFor('HTTP API v2 REQUEST', undefined) as unknown as EventJson;
    event.rawQueryString = `access_token=${token}&token=${token}`;
    event.queryStringParameters = { access_token: token, token, authorization: `Bearer ${token}` };
    // As with identitySource "$request.querystring.access_token".
    event.identitySource = [token];
    event.cookies = [`access_token=${token}`, `authorization=Bearer ${token}`];
    await expect(decide('HTTP API v2 REQUEST', event as unknown as AuthorizerEvent)).resolves.toEqual({ allowed: false, reason: 'no_bearer' });
  });

  it('REST: refuses a methodArn it cannot scope, even with a valid token', async () => {
    for (const methodArn of ['', 'not-an-arn/dev/GET/me', 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5', undefined]) {
      const event = eventFor('REST TOKEN', `Bearer ${token}`) as { methodArn?: string };
      event.methodArn = methodArn;
      await expect(decide('REST TOKEN', event as AuthorizerEvent)).resolves.toEqual({ allowed: false, reason: 'internal_error' });
    }
  });
});

describe('authorizer handler with injected dependencies', () => {
  const kit = KITS[0]!;
  const principal: AccessTokenPrincipal = { ...sessionClaimsWith({ amr: ['pwd'], authTime: NOW - 60 }), sub: 'user-1', sid: 'session-1', jti: 'j', exp: NOW + 60 };
  const depsWith = (overrides: Partial<AuthorizerDeps>): Promise<AuthorizerDeps> => Promise.resolve({ verify: () => principal, logger: capturingLogger().logger, ...overrides });

  it.each(SHAPES)('%s: refuses, as internal_error, anything the verifier throws that is not a rejection', async (shape) => {
    const failures: Array<() => never> = [
      () => {
        throw new TypeError('Key must be one of type KeyObject');
      },
      () => {
        throw new RangeError('clock.now() is not a finite number');
      },
      () => {
        throw 'a string';
      },
    ];
    for (const verify of failures) {
      const { decide } = harness(depsWith({ verify }));
      await expect(decide(shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toEqual({ allowed: false, reason: 'internal_error' });
    }
    const { decide } = harness(
      depsWith({
        verify: () => {
          throw new AccessTokenRejectedError('unknown_kid');
        },
      }),
    );
    await expect(decide(shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toEqual({ allowed: false, reason: 'unknown_kid' });
  });

  it.each(SHAPES)('%s: refuses when the session has ended or cannot be checked, allows a live one', async (shape) => {
    const ended = harness(depsWith({ isSessionLive: async () => false }));
    await expect(ended.decide(shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toEqual({ allowed: false, reason: 'session_ended' });
    const unreachable = harness(depsWith({ isSessionLive: async () => Promise.reject(new Error('DynamoDB unavailable')) }));
    await expect(unreachable.decide(shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toEqual({ allowed: false, reason: 'session_check_failed' });
    const live = harness(depsWith({ isSessionLive: async () => true }));
    await expect(live.decide(shape, eventFor(shape, `Bearer ${kit.token()}`))).resolves.toMatchObject({ allowed: true, context: { sub: 'user-1', sid: 'session-1', scope: '', amr: 'pwd' } });
  });

  it('hands the hook one shared object per decision kind (no allocation per request)', async () => {
    const { decide, decisions } = harness(depsWith({ isSessionLive: async () => false }));
    await decide('REST TOKEN', eventFor('REST TOKEN', `Bearer ${kit.token()}`));
    await decide('REST TOKEN', eventFor('REST TOKEN', `Bearer ${kit.token()}`));
    const allowed = harness(depsWith({}));
    await allowed.decide('REST TOKEN', eventFor('REST TOKEN', `Bearer ${kit.token()}`));
    await allowed.decide('REST TOKEN', eventFor('REST TOKEN', `Bearer ${kit.token()}`));
    expect(decisions[0]).toBe(decisions[1]);
    expect(allowed.decisions[0]).toBe(allowed.decisions[1]);
    expect(allowed.decisions[0]).toEqual({ allowed: true });
  });

  it('keeps its decision when the decision hook throws, and logs the failure', async () => {
    const log = capturingLogger();
    const onDecision = () => {
      throw new Error('metrics sink broken');
    };
    const handler = createAuthorizerHandler(() => depsWith({ logger: log.logger, onDecision }));
    await expect(handler(eventFor('REST TOKEN', `Bearer ${kit.token()}`))).resolves.toMatchObject({ principalId: 'user-1' });
    await expect(handler(eventFor('REST TOKEN', 'Basic x'))).rejects.toThrow(/^Unauthorized$/);
    expect(log.lines.filter((line) => line.message === 'authorizer decision hook failed')).toHaveLength(2);
  });

  it('logs why it refused, never the token', async () => {
    const log = capturingLogger();
    const handler = createAuthorizerHandler(() => Promise.resolve({ verify: verifierFor(kit), logger: log.logger }));
    const tokens = [kit.token({ iss: 'https://attacker.example' }), kit.token({ exp: NOW - 3600, iat: NOW - 4500 }), kit.token({}, { kid: 'nope' }), kit.token()];
    for (const token of tokens) await handler(eventFor('REST TOKEN', `Bearer ${token}`)).catch(() => undefined);
    expect(log.lines.filter((line) => line.message === 'authorization refused').map((line) => line.reason)).toEqual(['invalid_issuer', 'expired', 'unknown_kid']);
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
    await expect(createAuthorizerDeps(env)).rejects.toThrow(InvalidKeyError);
    await expect(createAuthorizerDeps(env)).rejects.toThrow('key "short" is not an RSA key of at least 2048 bits');
  });

  it('refuses, at cold start, an HS256 signing key without kid (its thumbprint would hash the secret)', async () => {
    const env = await testEnv({ JWT_ALG: 'HS256', JWT_PRIVATE_KEY: JSON.stringify({ kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url') }) });
    await expect(createAuthorizerDeps(env)).rejects.toThrow(expect.objectContaining({ name: 'ConfigError', variable: 'JWT_PRIVATE_KEY' }));
  });

  it('refuses, at cold start, an HS256 verification key shorter than 32 bytes', async () => {
    const weak = { kty: 'oct', k: Buffer.alloc(16, 7).toString('base64url'), kid: 'weak' };
    const env = await testEnv({ JWT_ALG: 'HS256', JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [weak] }) });
    await expect(createAuthorizerDeps(env)).rejects.toThrow(ConfigError);
  });

  it('refuses to start as the stateless authorizer when asked to check sessions', async () => {
    const env = await testEnv({ AUTHORIZER_CHECK_SESSION: 'true' });
    await expect(createAuthorizerDeps(env)).rejects.toThrow(/AUTHORIZER_CHECK_SESSION is true, but this is the stateless authorizer/);
  });
});

describe('authorizer start-up', () => {
  it('retries a failed start-up on a later invocation, after the composition\'s backoff, instead of failing for the container\'s life', async () => {
    const kit = await createTokenKit('ES256');
    let now = 0;
    let builds = 0;
    const deps = part({
      name: 'flakyAuthorizer',
      build: async () => {
        builds++;
        if (builds === 1) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return { verify: verifierFor(kit), logger: capturingLogger().logger };
      },
    });
    const root = compose({}, { now: () => now });
    const handler = createAuthorizerHandler(() => root.get(deps));
    const event = eventFor('REST TOKEN', `Bearer ${kit.token()}`);
    await expect(handler(event)).rejects.toThrow('Rate exceeded');
    now = 200; // within the first backoff (250 ms): the same failure, no new build
    await expect(handler(event)).rejects.toThrow('Rate exceeded');
    expect(builds).toBe(1);
    now = 250;
    await expect(handler(event)).resolves.toMatchObject({ principalId: expect.any(String) });
    expect(builds).toBe(2);
  });
});

describe('an authorizer that requires a second factor (AUTHORIZER_REQUIRED_AMR=mfa)', () => {
  it('allows a token whose login had a second factor, and answers a password-only one with an explicit Deny (403), not a 401', async () => {
    const kit = await createTokenKit('ES256');
    const handler = createAuthorizerHandler(async () => ({ verify: verifierFor(kit), logger: capturingLogger().logger, requirements: [{ kind: 'amr', method: 'mfa' }] }));
    await expect(handler(eventFor('REST TOKEN', `Bearer ${kit.token({ amr: ['pwd', 'otp', 'mfa'] })}`))).resolves.toMatchObject({
      policyDocument: { Statement: [{ Effect: 'Allow' }] },
      context: { amr: 'pwd otp mfa' },
    });
    await expect(handler(eventFor('REST TOKEN', `Bearer ${kit.token({ amr: ['pwd'] })}`))).resolves.toMatchObject({
      policyDocument: { Statement: [{ Effect: 'Deny' }] },
    });
    await expect(handler(eventFor('HTTP API v2 REQUEST', `Bearer ${kit.token({ amr: ['pwd'] })}`))).resolves.toMatchObject({ isAuthorized: false });
    // A bad token is still a 401, whatever the rule.
    await expect(handler(eventFor('REST TOKEN', 'Bearer not.a.token'))).rejects.toThrow(/^Unauthorized$/);
  });

  it('refuses a setting that is not one RFC 8176 method, naming it', async () => {
    const env = await testEnv({ AUTHORIZER_REQUIRED_AMR: 'mfa otp' });
    await expect(createAuthorizerDeps(env)).rejects.toThrow(expect.objectContaining({ name: 'ConfigError', variable: 'AUTHORIZER_REQUIRED_AMR' }));
  });
});

describe('an authorizer with per-route permissions (AUTHORIZER_ROUTE_PERMISSIONS)', () => {
  const kit = KITS[0]!;
  const routes = JSON.stringify({ 'GET /me': 'profile:read', 'DELETE /auth/sessions/{id}': null });
  const { handler, decisions } = harness(testEnv({ ...kit.env, AUTHORIZER_ROUTE_PERMISSIONS: routes }).then((env) => createAuthorizerDeps(env, { clock: kit.clock })));
  const at = (methodArn: string, token: string) => ({ ...eventFor('REST TOKEN', `Bearer ${token}`), methodArn }) as AuthorizerEvent;
  const ME = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/me';
  const END_SESSION = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/DELETE/auth/sessions/s-1';

  it('refuses the route whose permission the token lacks with a policy that still lists what it may call, naming the permission (403, not 401)', async () => {
    const result = (await handler(at(ME, kit.token({ scope: 'other:thing' })))) as { principalId: string; policyDocument: { Statement: unknown[] }; context: Record<string, unknown> };
    expect(result.principalId).toBe('user-0b7c5e0e');
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: ['arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/DELETE/auth/sessions/*'] }]);
    expect(result.context.www_authenticate).toBe('Bearer error="insufficient_scope", scope="profile:read"');
    expect(decisions.at(-1)).toEqual({ allowed: false, reason: 'insufficient_scope' });
  });

  it('allows it with the permission; an allowed request that lacks another route’s permission carries the missing ones', async () => {
    const allowed = (await handler(at(ME, kit.token({ scope: 'profile:read' })))) as { policyDocument: { Statement: { Effect: string; Resource: string[] }[] }; context: Record<string, unknown> };
    expect(allowed.policyDocument.Statement).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: expect.arrayContaining(['arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/me']) })]);
    expect(allowed.context).not.toHaveProperty('www_authenticate');
    expect(decisions.at(-1)).toEqual({ allowed: true });
    const other = (await handler(at(END_SESSION, kit.token({ scope: '' })))) as { context: Record<string, unknown> };
    expect(other.context.www_authenticate).toBe('Bearer error="insufficient_scope", scope="profile:read"');
    expect(decisions.at(-1)).toEqual({ allowed: true });
  });

  it('returns the one policy object built for a scope to every later token with that scope', async () => {
    const first = (await handler(at(ME, kit.token({ scope: 'profile:read', jti: 'one' })))) as { policyDocument: unknown };
    const second = (await handler(at(END_SESSION, kit.token({ scope: 'profile:read', jti: 'two' })))) as { policyDocument: unknown };
    expect(second.policyDocument).toBe(first.policyDocument);
  });

  it('an HTTP API route without the permission is refused; a bad token stays 401', async () => {
    await expect(handler(eventFor('HTTP API v2 REQUEST', `Bearer ${kit.token({ scope: '' })}`))).resolves.toMatchObject({ isAuthorized: false });
    expect(decisions.at(-1)).toEqual({ allowed: false, reason: 'insufficient_scope' });
    await expect(handler(eventFor('HTTP API v2 REQUEST', `Bearer ${kit.token({ scope: 'profile:read' })}`))).resolves.toMatchObject({ isAuthorized: true });
    await expect(handler(at(ME, 'not.a.token'))).rejects.toThrow(/^Unauthorized$/);
  });
});
