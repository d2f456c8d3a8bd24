import type { AuthorizerDeps, SessionLivenessCheck } from './authorizer';
import { systemClock, type Clock } from '../core/clock';
import { loadAuthorizerConfig, type AuthorizerConfig, type Env } from '../core/config';
import { createFastAccessTokenVerifier, importVerificationKeyObjects } from '../tokens/access-token-verifier';
import { createLogger, parseLogLevel } from '../core/logger';

/**
 * Builds the authorizer at cold start. The session check is passed in by the entry point that
 * wants it, so the stateless authorizer's bundle never contains a DynamoDB client.
 *
 * Tokens are verified by the node:crypto path (lib/fast-verifier.ts), which makes the decisions of
 * jose's jwtVerify (createAccessTokenVerifier, the reference) at about node:crypto's speed, and
 * keeps jose out of the authorizer's bundle.
 */
export async function createAuthorizerDeps(
  env: Env,
  options: { clock?: Clock; sessionCheck?: (config: AuthorizerConfig, clock: Clock) => SessionLivenessCheck } = {},
): Promise<AuthorizerDeps> {
  const config = loadAuthorizerConfig(env);
  const clock = options.clock ?? systemClock;
  if (config.checkSession && !options.sessionCheck) {
    throw new Error('Invalid configuration: AUTHORIZER_CHECK_SESSION is true, but this is the stateless authorizer (handlers/authorizer.handler); deploy handlers/authorizer-session-check.handler (serverless.yml picks it when AUTHORIZER_CHECK_SESSION=true)');
  }
  return {
    verify: createFastAccessTokenVerifier({
      keySet: importVerificationKeyObjects(config),
      issuer: config.issuer,
      audience: config.audience,
      maxTokenAgeSeconds: config.accessTokenTtlSeconds,
      clockSkewSeconds: config.clockSkewSeconds,
      clock,
    }),
    isSessionLive: config.checkSession ? options.sessionCheck?.(config, clock) : undefined,
    logger: createLogger(parseLogLevel(env.LOG_LEVEL)),
  };
}
