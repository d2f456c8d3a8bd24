import { createAccessTokenVerifier } from './access-token-verifier';
import type { AuthorizerDeps, SessionLivenessCheck } from './authorizer';
import { systemClock, type Clock } from './clock';
import { loadAuthorizerConfig, type AuthorizerConfig, type Env } from './config';
import { importVerificationKeys } from './keys';
import { createLogger, parseLogLevel } from './logger';

/**
 * Builds the authorizer at cold start. The session check is passed in by the entry point that
 * wants it, so the stateless authorizer's bundle never contains a DynamoDB client.
 */
export async function createAuthorizerDeps(
  env: Env,
  options: { clock?: Clock; sessionCheck?: (config: AuthorizerConfig, clock: Clock) => SessionLivenessCheck } = {},
): Promise<AuthorizerDeps> {
  const config = loadAuthorizerConfig(env);
  const clock = options.clock ?? systemClock;
  if (config.checkSession && !options.sessionCheck) {
    throw new Error('Invalid configuration: AUTHORIZER_CHECK_SESSION is true, but this is the stateless authorizer (handlers/authorizer.handler); deploy handlers/authorizer-session.handler');
  }
  const keySet = await importVerificationKeys(config);
  return {
    verify: createAccessTokenVerifier({
      keySet,
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
