import { readInteger, type Env } from '../core/settings';

export interface SessionPolicyConfig {
  readonly refreshTokenTtlSeconds: number;
  readonly sessionMaxAgeSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly sessionLimitPerUser: number;
}

export function loadSessionPolicy(env: Env): SessionPolicyConfig {
  return Object.freeze({
    refreshTokenTtlSeconds: readInteger(env, 'REFRESH_TOKEN_TTL_SECONDS', 60, 31_536_000),
    sessionMaxAgeSeconds: readInteger(env, 'SESSION_MAX_AGE_SECONDS', 60, 31_536_000),
    refreshReuseGraceSeconds: readInteger(env, 'REFRESH_REUSE_GRACE_SECONDS', 0, 300),
    sessionLimitPerUser: readInteger(env, 'SESSION_LIMIT_PER_USER', 1, 100),
  });
}
