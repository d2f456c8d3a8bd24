import { isSessionLive, type SessionRecord } from './session';
import { InvalidCredentialsError } from '../core/errors';
import { RolesChangedError, type CredentialGuard, type IndexedSession, type SessionStore } from './session-store';

/** An in-memory SessionStore with the DynamoDB adapter's semantics, for unit tests of the domain. */
export function createMemorySessionStore(
  options: {
    guardHolds?: (guard: CredentialGuard) => boolean;
    /** The account's roles version now (for a guard with `rolesVersion`); undefined when unknown, which passes. */
    rolesVersionOf?: (guard: CredentialGuard) => number | undefined;
  } = {},
): SessionStore & { readonly items: Map<string, SessionRecord & { indexed: boolean }> } {
  const items = new Map<string, SessionRecord & { indexed: boolean }>();
  const byIndexOrder = (a: IndexedSession, b: IndexedSession) => a.createdAt - b.createdAt || a.id.localeCompare(b.id);
  return {
    items,
    async create(session, guard) {
      if (items.has(session.id)) throw new Error(`session ${session.id} exists`);
      if (guard && options.guardHolds && !options.guardHolds(guard)) throw new InvalidCredentialsError();
      const rolesVersion = guard?.rolesVersion === undefined ? undefined : options.rolesVersionOf?.(guard);
      if (rolesVersion !== undefined && rolesVersion !== guard!.rolesVersion) throw new RolesChangedError();
      items.set(session.id, { ...session, indexed: true });
    },
    async get(sessionId) {
      const item = items.get(sessionId);
      if (!item) return undefined;
      const { indexed: _indexed, ...session } = item;
      return session;
    },
    async rotate(request) {
      const item = items.get(request.sessionId);
      if (!item || item.tokenHash !== request.presentedHash || !isSessionLive(item, request.now)) {
        return { rotated: false, session: item && (await this.get(item.id)) };
      }
      const next = {
        ...item,
        previousTokenHash: item.tokenHash,
        tokenHash: request.nextHash,
        generation: request.nextGeneration,
        rotatedAt: request.now,
        lastUsedAt: request.now,
        idleExpiresAt: request.idleExpiresAt,
        userAgent: request.userAgent,
        ip: request.ip,
      };
      items.set(item.id, next);
      return { rotated: true, session: (await this.get(item.id))! };
    },
    async reauthenticate({ sessionId, userId, now, claims, passkeyId }) {
      const item = items.get(sessionId);
      if (!item || item.userId !== userId || !isSessionLive(item, now)) return undefined;
      const passkeyIds = passkeyId === undefined || item.passkeyIds?.includes(passkeyId) ? item.passkeyIds : [...(item.passkeyIds ?? []), passkeyId];
      // The account's claims (roles, scope) stay as the session holds them.
      items.set(sessionId, { ...item, claims: { ...claims, roles: item.claims.roles, scope: item.claims.scope }, passkeyIds });
      return this.get(sessionId);
    },
    async setAccountClaims({ sessionId, userId, now, claims }) {
      const item = items.get(sessionId);
      if (!item || item.userId !== userId || !isSessionLive(item, now)) return false;
      items.set(sessionId, { ...item, claims: { ...item.claims, roles: claims.roles, scope: claims.scope } });
      return true;
    },
    async revoke(sessionId, reason, now, condition = {}) {
      const item = items.get(sessionId);
      if (!item || item.revokedAt !== undefined) return false;
      if (condition.userId !== undefined && item.userId !== condition.userId) return false;
      if (condition.liveAt !== undefined && !isSessionLive(item, condition.liveAt)) return false;
      items.set(sessionId, { ...item, revokedAt: now, revokedReason: reason, indexed: false });
      return true;
    },
    async revokeOwned(sessionId, reason, now) {
      const item = items.get(sessionId);
      return item && (await this.revoke(sessionId, reason, now)) ? { userId: item.userId } : undefined;
    },
    async listIndexed(userId, { limit, after, newestFirst }) {
      let entries = [...items.values()]
        .filter((item) => item.indexed && item.userId === userId)
        .map(({ id, createdAt, absoluteExpiresAt }) => ({ id, createdAt, absoluteExpiresAt }))
        .sort(byIndexOrder);
      if (newestFirst) entries.reverse();
      if (after) {
        const index = entries.findIndex((entry) => entry.id === after.id);
        entries = index < 0 ? entries.filter((entry) => (newestFirst ? entry.createdAt < after.createdAt : entry.createdAt > after.createdAt)) : entries.slice(index + 1);
      }
      const page = entries.slice(0, limit);
      const last = page.at(-1);
      return { sessions: page, next: entries.length > limit && last ? { id: last.id, createdAt: last.createdAt } : undefined };
    },
    async summaries(sessionIds) {
      return sessionIds.flatMap((id) => {
        const item = items.get(id);
        if (!item) return [];
        const { id: sid, userId, createdAt, lastUsedAt, idleExpiresAt, absoluteExpiresAt, revokedAt, userAgent, ip, passkeyIds } = item;
        return [{ id: sid, userId, createdAt, lastUsedAt, idleExpiresAt, absoluteExpiresAt, revokedAt, userAgent, ip, passkeyIds }];
      });
    },
  };
}
