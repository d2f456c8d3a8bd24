import { createAuthorizerDeps } from '../../lib/authorizer/authorizer';
import { loadTokenConfig, type Env, type Jwk } from '../../lib/core/config';
import { createAccessTokenIssuer } from '../../lib/tokens/access-token-issuer';
import { importSigningKey, importVerificationKeys } from '../../lib/tokens/keys';
import { generateSigningJwk } from '../../scripts/dev/keys';
import { frozenClock } from '../support/fixtures';
import { refusalOf } from '../support/token-kit';
import { sessionClaimsWith } from '../../lib/tokens/session-claims';

const publicHalf = ({ d: _d, ...rest }: Record<string, unknown>) => rest;
const TOKEN_ENV = { JWT_ISSUER: 'https://auth.test', JWT_AUDIENCE: 'api', ACCESS_TOKEN_TTL_SECONDS: '900', CLOCK_SKEW_SECONDS: '0', LOG_LEVEL: 'silent' };
const START = Date.UTC(2026, 5, 1);
const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;

// Rotation as docs/operations.md ("Keys and their rotation") describes it: publish next, switch signer, retire previous.
describe('signing key rotation', () => {
  let oldKey: Record<string, unknown>;
  let newKey: Record<string, unknown>;
  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([generateSigningJwk('ES256'), generateSigningJwk('ES256')]);
  });

  const signerWith = async (env: Env, clock = frozenClock(START)) => {
    const config = loadTokenConfig({ ...TOKEN_ENV, ...env }, { requirePrivateKey: true });
    const issuer = createAccessTokenIssuer({ signingKey: await importSigningKey(config), issuer: config.issuer, audience: config.audience, ttlSeconds: 900, clock });
    return { issuer, jwks: importVerificationKeys(config).publicJwks };
  };
  const authorizerWith = (publicKeys: Record<string, unknown>[], clock: ReturnType<typeof frozenClock>) =>
    createAuthorizerDeps({ ...TOKEN_ENV, JWT_VERIFICATION_KEYS: JSON.stringify({ keys: publicKeys }) }, { clock });
  const issueWith = async (signingKey: Record<string, unknown>, otherKey: Record<string, unknown>, clock: ReturnType<typeof frozenClock>) => {
    const signer = await signerWith({ JWT_PRIVATE_KEY: JSON.stringify(signingKey), JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [publicHalf(otherKey)] }) }, clock);
    return { jwks: signer.jwks, token: (await signer.issuer.issue({ userId: 'u1', sessionId: 's1', claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(clock.now() / 1000) }) })).token };
  };

  it('publishes the next key beside the current one while the current one still signs', async () => {
    const { jwks, token } = await issueWith(oldKey, newKey, frozenClock(START));
    expect(jwks.map((key: Jwk) => key.kid).sort()).toEqual([oldKey.kid, newKey.kid].sort());
    expect(kidOf(token)).toBe(oldKey.kid);
  });

  it('verifies tokens of both keys while both are published, each until its own exp', async () => {
    const clock = frozenClock(START);
    const { token: oldToken } = await issueWith(oldKey, newKey, clock);
    clock.advance(60_000);
    const { token: newToken, jwks } = await issueWith(newKey, oldKey, clock);
    expect(kidOf(newToken)).toBe(newKey.kid);
    expect(jwks.map((key: Jwk) => key.kid).sort()).toEqual([oldKey.kid, newKey.kid].sort());

    const authorizer = await authorizerWith([publicHalf(oldKey), publicHalf(newKey)], clock);
    expect(authorizer.verify(oldToken)).toMatchObject({ sub: 'u1', amr: ['pwd'] });
    expect(authorizer.verify(newToken)).toMatchObject({ sub: 'u1' });

    // The old token expires 900 s after it was issued; the new one lives on.
    clock.set(START + 900_000);
    expect(refusalOf(() => authorizer.verify(oldToken))).toMatchObject({ code: 'expired' });
    expect(authorizer.verify(newToken)).toMatchObject({ sub: 'u1' });
  });

  it('refuses a token of the retired key once only the new key is published', async () => {
    const clock = frozenClock(START);
    const { token: oldToken } = await issueWith(oldKey, newKey, clock);
    const { token: newToken } = await issueWith(newKey, oldKey, clock);
    const retired = await authorizerWith([publicHalf(newKey)], clock);
    expect(retired.verify(newToken)).toMatchObject({ sub: 'u1' });
    expect(refusalOf(() => retired.verify(oldToken))).toMatchObject({ code: 'unknown_kid' });
  });
});
