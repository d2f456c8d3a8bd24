import type { AccessTokenIssuer } from '../tokens/access-token-issuer';
import type { Clock } from '../core/clock';
import { InvalidCredentialsError, InvalidRefreshTokenError, NotFoundError, TooManyAttemptsError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { PasswordHasher } from '../accounts/password';
import { newSessionId, type RefreshToken, type RefreshTokenCodec } from '../tokens/refresh-token';
import { sessionExpiresAt, type SessionRecord, type SessionStore, type SessionSummary } from '../aws/dynamodb-session-store';
import type { UserStore } from '../aws/dynamodb-user-store';

export interface SessionPolicy {
  readonly refreshTokenTtlSeconds: number;
  readonly sessionMaxAgeSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly loginMaxFailures: number;
  readonly loginLockoutSeconds: number;
}

export interface SessionServiceDeps {
  readonly policy: SessionPolicy;
  readonly clock: Clock;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly passwords: PasswordHasher;
  readonly accessTokens: AccessTokenIssuer;
  readonly refreshTokens: RefreshTokenCodec;
  readonly logger: Logger;
}

/** Where a request came from; recorded on the session and in security events. */
export interface ClientInfo {
  readonly userAgent?: string | undefined;
  readonly ip?: string | undefined;
}

export interface IssuedTokens {
  readonly userId: string;
  readonly sessionId: string;
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresIn: number;
}

export interface SessionView {
  readonly id: string;
  readonly created_at: string;
  readonly last_used_at: string;
  readonly expires_at: string;
  readonly user_agent: string | null;
  readonly ip: string | null;
  readonly current: boolean;
}

export type SessionService = ReturnType<typeof createSessionService>;

const MAX_USER_AGENT_LENGTH = 512;

export function createSessionService(deps: SessionServiceDeps) {
  const { policy, clock, users, sessions, passwords, accessTokens, refreshTokens, logger } = deps;
  const secondsUntil = (at: number, now: number) => Math.max(0, Math.floor((at - now) / 1000));

  const issue = async (session: SessionRecord, refreshToken: RefreshToken, now: number): Promise<IssuedTokens> => {
    // Until sessions record their login's amr (issue 13), every session is a password login.
    const access = await accessTokens.issue({ userId: session.userId, sessionId: session.id, scope: session.scope, amr: ['pwd'] });
    return {
      userId: session.userId,
      sessionId: session.id,
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: refreshToken.value,
      refreshTokenExpiresIn: secondsUntil(sessionExpiresAt(session), now),
    };
  };

  const isExpired = (session: SessionRecord, now: number) => now >= sessionExpiresAt(session);

  return {
    /** Checks credentials (with per-email throttling) and opens a session. */
    async login(email: string, password: string, client: ClientInfo): Promise<IssuedTokens> {
      const now = clock.now();
      const { user, failures } = await users.findForLogin(email);
      if (failures && failures.count >= policy.loginMaxFailures && failures.expiresAt > now) {
        logger.security('login_throttled', { userId: user?.id, ip: client.ip, userAgent: client.userAgent });
        throw new TooManyAttemptsError(Math.max(1, Math.ceil((failures.expiresAt - now) / 1000)));
      }
      const valid = user ? await passwords.verify(password, user.passwordHash) : await passwords.verifyAgainstNothing(password);
      if (!user || !valid) {
        const count = await users.recordLoginFailure(email, now, policy.loginLockoutSeconds, failures);
        logger.security('login_failed', { userId: user?.id, knownAccount: Boolean(user), failures: count, ip: client.ip, userAgent: client.userAgent });
        throw new InvalidCredentialsError();
      }
      if (failures) await users.clearLoginFailures(email);

      // Whole seconds, because the refresh token carries the absolute expiry in seconds.
      const absoluteExpiresAt = (Math.floor(now / 1000) + policy.sessionMaxAgeSeconds) * 1000;
      const sessionId = newSessionId();
      const refreshToken = refreshTokens.mint(sessionId, absoluteExpiresAt / 1000);
      const session: SessionRecord = {
        id: sessionId,
        userId: user.id,
        createdAt: now,
        lastUsedAt: now,
        idleExpiresAt: Math.min(now + policy.refreshTokenTtlSeconds * 1000, absoluteExpiresAt),
        absoluteExpiresAt,
        generation: refreshToken.generation,
        tokenHash: refreshTokens.hash(refreshToken),
        userAgent: client.userAgent?.slice(0, MAX_USER_AGENT_LENGTH),
        ip: client.ip,
      };
      await sessions.create(session);
      return issue(session, refreshToken, now);
    },

    /** Rotates a refresh token: one conditional write on the happy path. */
    async refresh(presented: string, client: ClientInfo): Promise<IssuedTokens> {
      const token = refreshTokens.parse(presented);
      const now = clock.now();
      if (now >= token.absoluteExpiresAt * 1000) throw new InvalidRefreshTokenError();
      const successor = refreshTokens.successorOf(token);
      const result = await sessions.rotate({
        sessionId: token.sessionId,
        presentedHash: refreshTokens.hash(token),
        nextHash: refreshTokens.hash(successor),
        nextGeneration: successor.generation,
        now,
        idleExpiresAt: Math.min(now + policy.refreshTokenTtlSeconds * 1000, token.absoluteExpiresAt * 1000),
        userAgent: client.userAgent?.slice(0, MAX_USER_AGENT_LENGTH),
        ip: client.ip,
      });
      if (result.rotated) return issue(result.session, successor, now);

      const session = result.session;
      if (!session || session.userId === undefined) throw new InvalidRefreshTokenError();
      const fields = { userId: session.userId, sessionId: session.id, ip: client.ip, userAgent: client.userAgent };
      if (session.revokedAt !== undefined) {
        logger.security('refresh_on_revoked_session', { ...fields, reason: session.revokedReason });
        throw new InvalidRefreshTokenError();
      }
      if (isExpired(session, now)) throw new InvalidRefreshTokenError();

      const justRotatedAway =
        token.generation === session.generation - 1 && refreshTokens.matches(token, session.previousTokenHash);
      const insideGrace = session.rotatedAt !== undefined && now < session.rotatedAt + policy.refreshReuseGraceSeconds * 1000;
      if (justRotatedAway && insideGrace && refreshTokens.matches(successor, session.tokenHash)) {
        // A concurrent retry (second tab, network retry): same successor, fresh access token.
        return issue(session, successor, now);
      }
      if (token.generation < session.generation) {
        // The tag proved we issued this token, and it was rotated away: someone replayed it.
        await sessions.revoke(session.id, 'refresh_token_reuse', now);
        logger.security('refresh_token_reuse', { ...fields, reason: 'rotated-away refresh token presented', generation: token.generation, currentGeneration: session.generation });
      }
      throw new InvalidRefreshTokenError();
    },

    /** Ends the session of a refresh token; ending an ended session is not an error. */
    async logout(presented: string): Promise<void> {
      const token = refreshTokens.parse(presented);
      await sessions.revoke(token.sessionId, 'logout', clock.now());
    },

    async logoutAll(userId: string, client: ClientInfo): Promise<number> {
      const now = clock.now();
      const live = await sessions.listLive(userId, now);
      const results = await Promise.all(live.map((session) => sessions.revoke(session.id, 'logout_all', now)));
      const ended = results.filter(Boolean).length;
      logger.security('logout_all', { userId, sessionsEnded: ended, ip: client.ip, userAgent: client.userAgent });
      return ended;
    },

    async listSessions(userId: string, currentSessionId: string): Promise<SessionView[]> {
      const now = clock.now();
      const live = await sessions.listLive(userId, now);
      return live.map((session) => toView(session, currentSessionId));
    },

    /** Ends one of the caller's own live sessions; anything else is not found. */
    async endSession(userId: string, sessionId: string): Promise<void> {
      const now = clock.now();
      const ended = await sessions.revoke(sessionId, 'ended_by_user', now, { userId, liveAt: now });
      if (!ended) throw new NotFoundError('The session');
    },
  };

  function toView(session: SessionSummary, currentSessionId: string): SessionView {
    return {
      id: session.id,
      created_at: new Date(session.createdAt).toISOString(),
      last_used_at: new Date(session.lastUsedAt).toISOString(),
      expires_at: new Date(sessionExpiresAt(session)).toISOString(),
      user_agent: session.userAgent ?? null,
      ip: session.ip ?? null,
      current: session.id === currentSessionId,
    };
  }
}
