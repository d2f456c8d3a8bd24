import { createAccessTokenIssuer, type AccessTokenSigner } from '../lib/tokens/access-token-issuer';
import { systemClock } from '../lib/core/clock';
import { loadTokenConfig, type Env, type TokenConfig } from '../lib/core/config';
import { importSigningKey } from '../lib/tokens/keys';
import { sessionClaimsWith } from '../lib/tokens/session-claims';

export const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/me';

/** The service's own access-token issuer for a function environment: tokens exactly as login issues them. */
export async function createBenchIssuer(env: Env): Promise<{ config: TokenConfig; issuer: AccessTokenSigner }> {
  const config = loadTokenConfig(env, { requirePrivateKey: true });
  const issuer = createAccessTokenIssuer({
    signingKey: await importSigningKey(config),
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.accessTokenTtlSeconds,
    clock: systemClock,
  });
  return { config, issuer };
}

/** A REST API TOKEN authorizer event for an access token. */
export const tokenEvent = (token: string) => ({ type: 'TOKEN' as const, authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN });

/** A TOKEN event with a valid access token signed by the environment's key. */
export async function validTokenEvent(env: Env): Promise<ReturnType<typeof tokenEvent>> {
  const { issuer } = await createBenchIssuer(env);
  return tokenEvent((await issuer.issue({ userId: 'bench-user', sessionId: 'bench-session', claims: sessionClaimsWith({ amr: ['pwd'], authTime: Math.floor(Date.now() / 1000) }) })).token);
}
