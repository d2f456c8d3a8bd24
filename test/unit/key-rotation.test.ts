import { createAccessTokenIssuer } from '../../lib/tokens/access-token-issuer';
import { createAuthorizerDeps } from '../../lib/authorizer/authorizer-setup';
import { loadTokenConfig, type Env, type Jwk } from '../../lib/core/config';
import { importSigningKey, importVerificationKeys } from '../../lib/tokens/keys';
import { generateSigningJwk } from '../../scripts/dev/keys';
import { frozenClock } from '../support/fixtures';

const publicHalf = ({ d: _d, ...rest }: Record<string, unknown>) => rest;
const TOKEN_ENV = { JWT_ISSUER: 'https://auth.test', JWT_AUDIENCE: 'api', ACCESS_TOKEN_TTL_SECONDS: '900', CLOCK_SKEW_SECONDS: '0' };

// Rotation as the README describes it: publish next, switch signer, retire previous.
describe('signing key rotation', () => {
  const clock = frozenClock(Date.UTC(2026, 5, 1));
  let oldKey: Record<string, unknown>;
  let newKey: Record<string, unknown>;
  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([generateSigningJwk('ES256'), generateSigningJwk('ES256')]);
  });

  const signerWith = async (env: Env) => {
    const config = loadTokenConfig({ ...TOKEN_ENV, ...env }, { requirePrivateKey: true });
    const issuer = createAccessTokenIssuer({ signingKey: await importSigningKey(config), issuer: config.issuer, audience: config.audience, ttlSeconds: 900, clock });
    return { issuer, jwks: (await importVerificationKeys(config)).publicJwks };
  };
  const authorizerWith = async (publicKeys: Record<string, unknown>[]) =>
    createAuthorizerDeps({ ...TOKEN_ENV, JWT_VERIFICATION_KEYS: JSON.stringify({ keys: publicKeys }) }, { clock });
  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;

  it('old tokens verify until they expire while new ones carry the new kid', async () => {
    // Step 1: the next key is published next to the current one; the current one still signs.
    const before = await signerWith({ JWT_PRIVATE_KEY: JSON.stringify(oldKey), JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [publicHalf(newKey)] }) });
    expect(before.jwks.map((key: Jwk) => key.kid).sort()).toEqual([oldKey.kid, newKey.kid].sort());
    const oldToken = (await before.issuer.issue({ userId: 'u1', sessionId: 's1' })).token;
    expect(kidOf(oldToken)).toBe(oldKey.kid);

    // Step 2: the new key signs; the old public key stays in the set.
    const after = await signerWith({ JWT_PRIVATE_KEY: JSON.stringify(newKey), JWT_VERIFICATION_KEYS: JSON.stringify({ keys: [publicHalf(oldKey)] }) });
    expect(after.jwks.map((key: Jwk) => key.kid).sort()).toEqual([oldKey.kid, newKey.kid].sort());
    clock.advance(60_000);
    const newToken = (await after.issuer.issue({ userId: 'u1', sessionId: 's1' })).token;
    expect(kidOf(newToken)).toBe(newKey.kid);

    const authorizer = await authorizerWith([publicHalf(oldKey), publicHalf(newKey)]);
    await expect(authorizer.verify(oldToken)).resolves.toMatchObject({ sub: 'u1' });
    await expect(authorizer.verify(newToken)).resolves.toMatchObject({ sub: 'u1' });

    // The old token expires 900 s after it was issued; the new one lives on.
    clock.advance(840_000);
    await expect(authorizer.verify(oldToken)).rejects.toThrow();
    await expect(authorizer.verify(newToken)).resolves.toMatchObject({ sub: 'u1' });

    // Step 3: the old key leaves the set; only the new key verifies.
    const retired = await authorizerWith([publicHalf(newKey)]);
    await expect(retired.verify(newToken)).resolves.toMatchObject({ sub: 'u1' });
    clock.advance(-840_000);
    await expect(retired.verify(oldToken)).rejects.toThrow();
  });
});
