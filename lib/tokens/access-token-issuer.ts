import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../core/clock';
import { toEpochSeconds } from '../core/clock';
import { ACCESS_TOKEN_TYPE } from './access-token-verifier';
import type { SigningKey } from './keys';

export interface AccessTokenSubject {
  readonly userId: string;
  readonly sessionId: string;
  readonly scope?: string | undefined;
  /** RFC 8176 methods of the session's login (["pwd"], ["pwd", "otp", "mfa"]...); every token carries them. */
  readonly amr: readonly string[];
  /** The session's last real sign-in or re-authentication, epoch seconds (`auth_time`, OpenID Connect Core 2). */
  readonly authTime: number;
}

export interface AccessTokenIssuer {
  /** Signs a fresh access token for a session. */
  issue(subject: AccessTokenSubject): Promise<{ token: string; expiresIn: number }>;
}

export interface AccessTokenIssuerOptions {
  readonly signingKey: SigningKey;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly clock: Clock;
}

/** The issuer of access tokens; jose signs here, and only here outside the tests. */
export function createAccessTokenIssuer(options: AccessTokenIssuerOptions): AccessTokenIssuer {
  const { signingKey, issuer, audience, ttlSeconds, clock } = options;
  return {
    async issue({ userId, sessionId, scope, amr, authTime }) {
      const issuedAt = toEpochSeconds(clock.now());
      const claims: { sid: string; amr: string[]; auth_time: number; scope?: string } = { sid: sessionId, amr: [...amr], auth_time: authTime };
      if (scope) claims.scope = scope;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: signingKey.algorithm, kid: signingKey.kid, typ: ACCESS_TOKEN_TYPE })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(userId)
        .setJti(randomUUID())
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(signingKey.key);
      return { token, expiresIn: ttlSeconds };
    },
  };
}
