import type { AccessTokenPrincipal } from '../tokens/access-token-verifier';
import type { SessionLivenessCheck } from './authorizer';
import type { Clock } from '../core/clock';
import { isSessionLive } from '../sessions/session';
import type { SessionStore } from '../sessions/session-store';

/** How long a "live" answer is reused before the session is read again. */
export const LIVE_CACHE_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * The authorizer's revocation check: one read per session per LIVE_CACHE_MS. An ended session
 * never comes back, so "ended" is cached until the token expires. Worst-case staleness after a
 * logout is LIVE_CACHE_MS plus API Gateway's own authorizer cache TTL.
 */
export function createSessionLivenessCheck(store: Pick<SessionStore, 'get'>, clock: Clock): SessionLivenessCheck {
  const cache = new Map<string, { live: boolean; until: number }>();
  return async (principal: AccessTokenPrincipal) => {
    const now = clock.now();
    const cached = cache.get(principal.sid);
    if (cached && cached.until > now) return cached.live;
    const session = await store.get(principal.sid);
    const live = session !== undefined && session.userId === principal.sub && isSessionLive(session, now);
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(principal.sid, { live, until: live ? now + LIVE_CACHE_MS : principal.exp * 1000 });
    return live;
  };
}
