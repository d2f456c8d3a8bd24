import type { Clock } from '../core/clock';
import { InvalidRefreshTokenError, InvalidTokenError, NotFoundError, ServiceUnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import { forEachBounded } from '../core/bounded';
import type { AccessTokenSigner } from '../tokens/access-token-issuer';
import { newSessionId, type RefreshToken, type RefreshTokenCodec } from '../tokens/refresh-token';
import { isSessionLive, sessionExpiresAt, type RevocationReason, type SessionRecord, type SessionSummary } from './session';
import type { SessionCursorCodec } from './session-cursor';
import { passkeyIdOf, sessionClaimsOf, type ClaimsDecider, type SignInAccount, type SignInProof } from './sign-in';
import { RolesChangedError, type CredentialGuard, type IndexedSession, type SessionStore } from './session-store';

export interface SessionPolicy {
  readonly refreshTokenTtlSeconds: number;
  readonly sessionMaxAgeSeconds: number;
  readonly refreshReuseGraceSeconds: number;
  readonly sessionLimitPerUser: number;
}

export type { AccessTokenSigner } from '../tokens/access-token-issuer';

/** How a session's refresh token travels: in the response body, or in the HttpOnly cookie. */
export type RefreshTokenDelivery = 'body' | 'cookie';

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

/** Counts session events as metrics (LoginSucceeded: any login that opened a session). */
export type SessionCounter = (name: 'LoginSucceeded' | 'RefreshSucceeded' | 'SessionRevoked') => void;
const uncounted: SessionCounter = () => undefined;

export interface SessionIssuerDeps {
  readonly count?: SessionCounter | undefined;
  readonly policy: SessionPolicy;
  readonly clock: Clock;
  readonly sessions: SessionStore;
  readonly accessTokens: AccessTokenSigner;
  readonly refreshTokens: RefreshTokenCodec;
  readonly logger: Logger;
  /** Adds what the account decides to a sign-in's claims (lib/sessions/sign-in.ts); none by default. */
  readonly decideClaims?: ClaimsDecider | undefined;
  /**
   * Reads the account of a sign-in whose flow did not hand one over (a second login step, an
   * upstream identity provider), and again when a role change raced the login. Without it, such a
   * sign-in decides its claims without an account.
   */
  readonly readAccount?: ((userId: string) => Promise<SignInAccount | undefined>) | undefined;
}

export type SessionIssuer = ReturnType<typeof createSessionIssuer>;

const MAX_USER_AGENT_LENGTH = 256;
/** Writes in flight at once when ending many sessions: enough to be quick, few enough for the SDK's socket pool. */
const END_CONCURRENCY = 25;
const PAGE_SIZE = 100;

const secondsUntil = (at: number, now: number) => Math.max(0, Math.floor((at - now) / 1000));

/** Opens sessions (after a login of any kind) and rotates their refresh tokens. */
export function createSessionIssuer(deps: SessionIssuerDeps) {
  const { policy, clock, sessions, accessTokens, refreshTokens, logger } = deps;
  const count = deps.count ?? uncounted;

  // Every token of a session says what its claims say, as stored: a refresh decides nothing.
  const accessTokenOf = (session: SessionRecord) => accessTokens.issue({ userId: session.userId, sessionId: session.id, claims: session.claims });

  const issue = async (session: SessionRecord, refreshToken: RefreshToken, now: number): Promise<IssuedTokens> => {
    const access = await accessTokenOf(session);
    return {
      userId: session.userId,
      sessionId: session.id,
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: refreshToken.value,
      refreshTokenExpiresIn: secondsUntil(sessionExpiresAt(session), now),
    };
  };

  /**
   * Keeps a user below the session limit before a new session is added: ends sessions that have
   * expired but are still indexed, else the one used least recently. One query of at most
   * `limit` index entries; only an account at its limit pays for a batch read.
   */
  const makeRoomFor = async (userId: string, now: number, client: ClientInfo) => {
    const limit = policy.sessionLimitPerUser;
    const { sessions: indexed } = await sessions.listIndexed(userId, { limit, newestFirst: false });
    if (indexed.length < limit) return;
    const summaries = await sessions.summaries(indexed.map((entry) => entry.id));
    const dead = summaries.filter((session) => !isSessionLive(session, now));
    const live = summaries.filter((session) => isSessionLive(session, now)).sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    const toEnd = [...dead, ...live.slice(0, Math.max(0, live.length + 1 - limit))];
    await forEachBounded(toEnd, END_CONCURRENCY, async (session) => {
      const ended = await sessions.revoke(session.id, 'session_limit', now);
      if (ended) count('SessionRevoked');
      if (ended && isSessionLive(session, now)) logger.security('session_limit_reached', { userId, sessionId: session.id, ip: client.ip, userAgent: client.userAgent });
    });
  };

  /**
   * Decides the claims (from the account, when there is one) and stores the session. A session
   * whose roles came from an account that holds some is guarded by the account's roles version
   * as well: a revocation racing this login is never outlived by the session (RolesChangedError).
   */
  const openWith = async (userId: string, proofs: readonly SignInProof[], client: ClientInfo, guard: CredentialGuard | undefined, account: SignInAccount | undefined, now: number, passkeyId: string | undefined) => {
    const claims = await sessionClaimsOf({ userId, proofs, at: now, account }, deps.decideClaims);
    const guarded: CredentialGuard | undefined =
      account && claims.roles.length > 0
        ? { ...(guard ?? { email: account.email, userId, credentialsVersion: account.credentialsVersion }), rolesVersion: account.rolesVersion ?? 0 }
        : guard;
    // Whole seconds, because the refresh token carries the absolute expiry in seconds.
    const absoluteExpiresAt = (Math.floor(now / 1000) + policy.sessionMaxAgeSeconds) * 1000;
    const sessionId = newSessionId();
    const refreshToken = refreshTokens.mint(sessionId, absoluteExpiresAt / 1000);
    const session: SessionRecord = {
      id: sessionId,
      userId,
      createdAt: now,
      lastUsedAt: now,
      idleExpiresAt: Math.min(now + policy.refreshTokenTtlSeconds * 1000, absoluteExpiresAt),
      absoluteExpiresAt,
      generation: refreshToken.generation,
      tokenHash: refreshTokens.hash(refreshToken),
      userAgent: client.userAgent?.slice(0, MAX_USER_AGENT_LENGTH),
      ip: client.ip,
      claims,
      ...(passkeyId === undefined ? {} : { passkeyIds: [passkeyId] }),
    };
    await sessions.create(session, guarded);
    count('LoginSucceeded');
    logger.security('login_succeeded', { userId, sessionId, method: proofs.at(-1)?.method, amr: claims.amr.join(' '), ip: client.ip, userAgent: client.userAgent });
    return issue(session, refreshToken, now);
  };

  return {
    /**
     * Opens a session for an authenticated user; `proofs` say how they signed in, and decide the
     * session's claims (sign-in.ts). A password login passes the hash it verified, a passkey login
     * the credentials version its challenge was bound to: the session is stored only while the
     * account still holds it. A passkey proof binds the session to that passkey: removing it ends
     * the session. `account` is the account as the flow read it (its roles decide the session's);
     * without one, the issuer reads it (readAccount).
     */
    async open(userId: string, proofs: readonly SignInProof[], client: ClientInfo, guard?: CredentialGuard, account?: SignInAccount): Promise<IssuedTokens> {
      const now = clock.now();
      const passkeyId = passkeyIdOf(proofs);
      await makeRoomFor(userId, now, client);
      try {
        return await openWith(userId, proofs, client, guard, account ?? (await deps.readAccount?.(userId)), now, passkeyId);
      } catch (error) {
        if (!(error instanceof RolesChangedError) || !deps.readAccount) throw error;
        // A role change came between the account's read and the session's write: decide again from
        // the account as it is now. A second change within these milliseconds fails the login (503).
        const fresh = await deps.readAccount(userId);
        try {
          return await openWith(userId, proofs, client, guard, fresh, now, passkeyId);
        } catch (again) {
          throw again instanceof RolesChangedError ? new ServiceUnavailableError({ cause: again }) : again;
        }
      }
    },

    /**
     * A re-authentication of the caller's session: the claims of this sign-in (its `amr`, and
     * `auth_time` now) replace the session's own (so later refreshes keep them), in one conditional
     * write on a live session of this user, and a fresh access token says so. The account's claims
     * (roles, scope) stay as the session holds them: role changes keep them current. The refresh
     * token is not rotated. 401 invalid_token when the session has ended meanwhile.
     */
    async reauthenticate(caller: { userId: string; sessionId: string }, proofs: readonly SignInProof[]): Promise<{ accessToken: string; expiresIn: number }> {
      const now = clock.now();
      const claims = await sessionClaimsOf({ userId: caller.userId, proofs, at: now });
      const session = await sessions.reauthenticate({ sessionId: caller.sessionId, userId: caller.userId, now, claims, passkeyId: passkeyIdOf(proofs) });
      if (!session) throw new InvalidTokenError();
      const access = await accessTokenOf(session);
      return { accessToken: access.token, expiresIn: access.expiresIn };
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
      if (result.rotated) {
        count('RefreshSucceeded');
        return issue(result.session, successor, now);
      }

      const session = result.session;
      if (!session || session.userId === undefined) throw new InvalidRefreshTokenError();
      const fields = { userId: session.userId, sessionId: session.id, ip: client.ip, userAgent: client.userAgent };
      if (session.revokedAt !== undefined) {
        logger.security('refresh_on_revoked_session', { ...fields, reason: session.revokedReason });
        throw new InvalidRefreshTokenError();
      }
      if (!isSessionLive(session, now)) throw new InvalidRefreshTokenError();

      const justRotatedAway = token.generation === session.generation - 1 && refreshTokens.matches(token, session.previousTokenHash);
      const insideGrace = session.rotatedAt !== undefined && now < session.rotatedAt + policy.refreshReuseGraceSeconds * 1000;
      if (justRotatedAway && insideGrace) {
        // A concurrent retry (second tab, network retry): same successor, fresh access token.
        if (refreshTokens.matches(successor, session.tokenHash)) {
          count('RefreshSucceeded');
          return issue(session, successor, now);
        }
        // The rotation was made under another hash key (a key rotation in progress): refused, not reuse.
        throw new InvalidRefreshTokenError();
      }
      if (token.generation < session.generation) {
        // The tag proved we issued this token, and it was rotated away: someone replayed it.
        if (await sessions.revoke(session.id, 'refresh_token_reuse', now)) count('SessionRevoked');
        logger.security('refresh_token_reuse', { ...fields, reason: 'rotated-away refresh token presented', generation: token.generation, currentGeneration: session.generation });
      }
      throw new InvalidRefreshTokenError();
    },
  };
}

/**
 * Ends the session of a refresh token; ending an ended session is not an error. Returns the
 * session this call ended and its owner (for the security event), or undefined.
 */
export async function logout(
  deps: { sessions: SessionStore; refreshTokens: Pick<RefreshTokenCodec, 'parse'>; clock: Clock; count?: SessionCounter | undefined },
  presented: string,
): Promise<{ sessionId: string; userId: string } | undefined> {
  const token = deps.refreshTokens.parse(presented);
  const ended = await deps.sessions.revokeOwned(token.sessionId, 'logout', deps.clock.now());
  if (!ended) return undefined;
  (deps.count ?? uncounted)('SessionRevoked');
  return { sessionId: token.sessionId, userId: ended.userId };
}

export interface EndAllOptions {
  /** A session to keep (the caller's own, on a password change). */
  readonly except?: string | undefined;
  /** Epoch ms by which the work must stop (the Lambda's deadline less a margin). */
  readonly deadline?: number | undefined;
}

/** How a sweep over a user's sessions (forEachSessionOf) is bounded. */
export interface SweepOptions {
  /** Epoch ms by which the work must stop (the Lambda's deadline less a margin). */
  readonly deadline?: number | undefined;
  /** What the sweep does to a session, for the deadline's message ("ending", "updating"). */
  readonly doing: string;
}

/**
 * Applies `act` to each session of a user that `pick` keeps: pages through the by-user index
 * (revoked sessions have left it), END_CONCURRENCY at a time; the number for which it answered
 * true. Throws ServiceUnavailableError when it could not finish before the deadline or an act
 * failed (after the rest of that page); what was done stays done, so a retry finishes the job.
 */
export async function forEachSessionOf(
  deps: { sessions: Pick<SessionStore, 'listIndexed'>; clock: Clock },
  userId: string,
  options: SweepOptions,
  pick: (session: IndexedSession, now: number) => boolean,
  act: (session: IndexedSession) => Promise<boolean>,
): Promise<number> {
  const { sessions, clock } = deps;
  let done = 0;
  let failure: unknown;
  let after: { id: string; createdAt: number } | undefined;
  do {
    if (options.deadline !== undefined && clock.now() >= options.deadline) throw new ServiceUnavailableError({ cause: new Error(`deadline reached after ${options.doing} ${done} sessions`) });
    const page = await sessions.listIndexed(userId, { limit: PAGE_SIZE, after, newestFirst: false });
    const now = clock.now();
    await forEachBounded(page.sessions.filter((session) => pick(session, now)), END_CONCURRENCY, async (session) => {
      try {
        if (await act(session)) done++;
      } catch (error) {
        failure ??= error;
      }
    });
    if (failure) throw failure instanceof ServiceUnavailableError ? failure : new ServiceUnavailableError({ cause: failure });
    after = page.next;
  } while (after);
  return done;
}

/**
 * Ends every session of a user (forEachSessionOf): throws ServiceUnavailableError when it could
 * not finish; sessions already ended stay ended, so a retry finishes the job.
 */
export async function endAllSessions(
  deps: { sessions: SessionStore; clock: Clock; count?: SessionCounter | undefined },
  userId: string,
  reason: RevocationReason,
  options: EndAllOptions = {},
): Promise<number> {
  const { sessions, clock } = deps;
  return forEachSessionOf(deps, userId, { deadline: options.deadline, doing: 'ending' }, (session) => session.id !== options.except, async (session) => {
    const ended = await sessions.revoke(session.id, reason, clock.now());
    if (ended) (deps.count ?? uncounted)('SessionRevoked');
    return ended;
  });
}

/**
 * Ends the sessions of a user that a passkey opened or re-authenticated (when that passkey is
 * removed): pages through the by-user index and reads each page's sessions in one batch, so the
 * cost is that of a session listing. Throws ServiceUnavailableError as endAllSessions does; a retry
 * finishes the job.
 */
export async function endSessionsOfPasskey(
  deps: { sessions: SessionStore; clock: Clock; count?: SessionCounter | undefined },
  userId: string,
  passkeyId: string,
  options: Pick<EndAllOptions, 'deadline'> = {},
): Promise<number> {
  const { sessions, clock } = deps;
  let ended = 0;
  let after: { id: string; createdAt: number } | undefined;
  do {
    if (options.deadline !== undefined && clock.now() >= options.deadline) throw new ServiceUnavailableError({ cause: new Error(`deadline reached after ending ${ended} sessions`) });
    const page = await sessions.listIndexed(userId, { limit: PAGE_SIZE, after, newestFirst: false });
    const summaries = page.sessions.length ? await sessions.summaries(page.sessions.map((session) => session.id)) : [];
    const targets = summaries.filter((session) => session.userId === userId && session.passkeyIds?.includes(passkeyId));
    await forEachBounded(targets, END_CONCURRENCY, async (session) => {
      if (await sessions.revoke(session.id, 'passkey_removed', clock.now())) {
        ended++;
        (deps.count ?? uncounted)('SessionRevoked');
      }
    });
    after = page.next;
  } while (after);
  return ended;
}

/** One page of a user's live sessions, newest first, with a cursor for the next page. */
export async function listSessions(
  deps: { sessions: SessionStore; cursors: SessionCursorCodec; clock: Clock },
  userId: string,
  currentSessionId: string,
  cursor?: string | undefined,
): Promise<{ sessions: SessionView[]; next_cursor?: string }> {
  const { sessions, cursors, clock } = deps;
  const now = clock.now();
  const after = cursor === undefined ? undefined : cursors.decode(userId, cursor);
  const page = await sessions.listIndexed(userId, { limit: PAGE_SIZE, after, newestFirst: true });
  const candidates = page.sessions.filter((session) => now < session.absoluteExpiresAt);
  const summaries = candidates.length ? await sessions.summaries(candidates.map((session) => session.id)) : [];
  const live = summaries
    .filter((session) => session.userId === userId && isSessionLive(session, now))
    .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id));
  return {
    sessions: live.map((session) => toView(session, currentSessionId)),
    ...(page.next ? { next_cursor: cursors.encode(userId, page.next) } : {}),
  };
}

/** Ends one of the caller's own live sessions; anything else is not found. */
export async function endSession(deps: { sessions: SessionStore; clock: Clock; count?: SessionCounter | undefined }, userId: string, sessionId: string): Promise<void> {
  const now = deps.clock.now();
  const ended = await deps.sessions.revoke(sessionId, 'ended_by_user', now, { userId, liveAt: now });
  if (!ended) throw new NotFoundError('The session');
  (deps.count ?? uncounted)('SessionRevoked');
}

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
