import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../core/clock';
import { toEpochSeconds } from '../core/clock';
import { ACCESS_TOKEN_TYPE } from './access-token-verifier';
import type { SigningKey } from './keys';
import { writeSessionClaims, type SessionClaims } from './session-claims';

/** Whom an access token is for: a user's session, and the claims decided for it (session-claims.ts). */
export interface AccessTokenSubject {
  readonly userId: string;
  readonly sessionId: string;
  readonly claims: SessionClaims;
}

/** The one signer of access tokens: every token of every session goes through it. */
export interface AccessTokenSigner {
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
export function createAccessTokenIssuer(options: AccessTokenIssuerOptions): AccessTokenSigner {
  const { signingKey, issuer, audience, ttlSeconds, clock } = options;
  return {
    async issue({ userId, sessionId, claims }) {
      const issuedAt = toEpochSeconds(clock.now());
      const token = await new SignJWT({ sid: sessionId, ...writeSessionClaims(claims) })
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
