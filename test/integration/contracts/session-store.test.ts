import { randomBytes, randomUUID } from 'node:crypto';
import type { AccountChangeStore } from '../../../lib/accounts/account-change-store';
import { createMemoryAccountChangeStore } from '../../../lib/accounts/memory-account-change-store';
import { createMemoryUserStore } from '../../../lib/accounts/memory-user-store';
import { bindingHolds, type UserStore } from '../../../lib/accounts/user-store';
import { createDynamoDbAccountChangeStore } from '../../../lib/aws/dynamodb-account-change-store';
import { createDynamoDbSessionStore } from '../../../lib/aws/dynamodb-session-store';
import { createDynamoDbUserStore } from '../../../lib/aws/dynamodb-user-store';
import { InvalidCredentialsError } from '../../../lib/core/errors';
import { createMemorySessionStore } from '../../../lib/sessions/memory-session-store';
import type { SessionRecord } from '../../../lib/sessions/session';
import { RolesChangedError, type SessionStore } from '../../../lib/sessions/session-store';
import { sessionClaimsWith, type SessionClaims } from '../../../lib/tokens/session-claims';
import { uniqueEmail } from '../../support/fixtures';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
const NOW = Date.now();
const HOUR = 3_600_000;

interface Stores {
  readonly sessions: SessionStore;
  readonly users: UserStore;
  readonly changes: AccountChangeStore;
}

const claimsOf = (amr: readonly string[], at: number): SessionClaims => sessionClaimsWith({ amr, authTime: Math.floor(at / 1000) });

const sessionOf = (userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: randomBytes(16).toString('base64url'),
  userId,
  createdAt: NOW,
  lastUsedAt: NOW,
  idleExpiresAt: NOW + HOUR,
  absoluteExpiresAt: NOW + 24 * HOUR,
  generation: 0,
  tokenHash: 'hash-0',
  claims: claimsOf(['pwd'], NOW),
  ...overrides,
});

describeContract<Stores>(
  'session store',
  {
    memory: () => {
      const users = createMemoryUserStore();
      // The DynamoDB adapter checks the guard on the account item; the twin reads the memory accounts.
      const guardHolds = (guard: { email: string; userId: string; passwordHash?: string; credentialsVersion?: number }) => {
        const account = users.accounts.get(guard.email);
        if (account?.disabled) return false;
        if (guard.passwordHash !== undefined) return account?.id === guard.userId && account.passwordHash === guard.passwordHash;
        return bindingHolds(account, { userId: guard.userId, credentialsVersion: guard.credentialsVersion ?? 0 });
      };
      const rolesVersionOf = (guard: { email: string }) => users.accounts.get(guard.email)?.rolesVersion ?? 0;
      return { users, changes: createMemoryAccountChangeStore(users.accounts), sessions: createMemorySessionStore({ guardHolds, rolesVersionOf }) };
    },
    dynamodb: () => ({
      users: createDynamoDbUserStore(local.client, local.usersTable),
      changes: createDynamoDbAccountChangeStore(local.client, local.usersTable),
      sessions: createDynamoDbSessionStore(local.client, local.sessionsTable, { usersTable: local.usersTable }),
    }),
  },
  (build) => {
    const { sessions, users, changes } = build();

    it('stores a session and gives it back as it was', async () => {
      const session = sessionOf(randomUUID(), { userAgent: 'agent', ip: '198.51.100.1', passkeyIds: ['p1'] });
      await sessions.create(session);
      expect(await sessions.get(session.id)).toEqual(session);
      expect(await sessions.get(randomUUID())).toBeUndefined();
    });

    it('opens a guarded session only while the account still holds what the login relied on (else InvalidCredentialsError)', async () => {
      const account = { id: randomUUID(), email: uniqueEmail('guard'), passwordHash: 'pw-1', createdAt: NOW, emailVerified: true, mfaEnabled: false, credentialsVersion: 0 };
      await users.create(account);
      await sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1' });
      await sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, credentialsVersion: 0 });
      await changes.setPasswordHash(account.email, account.id, 'pw-2');
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1' })).rejects.toThrow(InvalidCredentialsError);
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, credentialsVersion: 0 })).rejects.toThrow(InvalidCredentialsError);
    });

    it('opens no guarded session on a disabled account, whatever the guard holds; enabled again, it does', async () => {
      const account = { id: randomUUID(), email: uniqueEmail('guard-disabled'), passwordHash: 'pw-1', createdAt: NOW, emailVerified: true, mfaEnabled: false, credentialsVersion: 0 };
      await users.create(account);
      expect(await users.setDisabled(account, true)).toBe(true);
      // The version the disable moved to: only the disabled flag refuses these.
      const version = (await users.findById(account.id))!.credentialsVersion;
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1' })).rejects.toThrow(InvalidCredentialsError);
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, credentialsVersion: version })).rejects.toThrow(InvalidCredentialsError);
      expect(await users.setDisabled(account, false)).toBe(true);
      await sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1' });
      await sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, credentialsVersion: version });
    });

    it('rotates only with the current hash of a live session, and says how the session stands when it does not', async () => {
      const session = sessionOf(randomUUID());
      await sessions.create(session);
      const request = { sessionId: session.id, presentedHash: 'hash-0', nextHash: 'hash-1', nextGeneration: 1, now: NOW + 1_000, idleExpiresAt: NOW + 2 * HOUR };
      const rotated = await sessions.rotate(request);
      expect(rotated).toEqual({ rotated: true, session: expect.objectContaining({ tokenHash: 'hash-1', previousTokenHash: 'hash-0', generation: 1, rotatedAt: NOW + 1_000, lastUsedAt: NOW + 1_000, idleExpiresAt: NOW + 2 * HOUR }) });
      const again = await sessions.rotate(request);
      expect(again.rotated).toBe(false);
      expect(again.session).toMatchObject({ tokenHash: 'hash-1', generation: 1 });
      expect(await sessions.rotate({ ...request, sessionId: randomUUID() })).toEqual({ rotated: false, session: undefined });
      expect((await sessions.rotate({ ...request, presentedHash: 'hash-1', now: NOW + 2 * HOUR })).rotated).toBe(false);
    });

    it('revokes once, only for its user and while live, and the session leaves the index', async () => {
      const userId = randomUUID();
      const session = sessionOf(userId);
      await sessions.create(session);
      expect(await sessions.revoke(session.id, 'logout', NOW, { userId: randomUUID() })).toBe(false);
      expect(await sessions.revoke(session.id, 'logout', NOW, { liveAt: NOW + HOUR })).toBe(false);
      expect(await sessions.revoke(session.id, 'logout', NOW + 5, { userId, liveAt: NOW })).toBe(true);
      expect(await sessions.revoke(session.id, 'logout', NOW + 6)).toBe(false);
      expect(await sessions.get(session.id)).toMatchObject({ revokedAt: NOW + 5, revokedReason: 'logout' });
      expect((await sessions.listIndexed(userId, { limit: 10, newestFirst: true })).sessions).toEqual([]);
    });

    it('revokes once with its owner (a logout), and says nothing for an ended or unknown session', async () => {
      const userId = randomUUID();
      const session = sessionOf(userId);
      await sessions.create(session);
      expect(await sessions.revokeOwned(session.id, 'logout', NOW + 5)).toEqual({ userId });
      expect(await sessions.revokeOwned(session.id, 'logout', NOW + 6)).toBeUndefined();
      expect(await sessions.revokeOwned(randomUUID(), 'logout', NOW)).toBeUndefined();
      expect(await sessions.get(session.id)).toMatchObject({ revokedAt: NOW + 5, revokedReason: 'logout' });
      expect((await sessions.listIndexed(userId, { limit: 10, newestFirst: true })).sessions).toEqual([]);
    });

    it('lists a user\'s sessions in pages, newest first or oldest first', async () => {
      const userId = randomUUID();
      const created = [sessionOf(userId, { createdAt: NOW - 3 }), sessionOf(userId, { createdAt: NOW - 2 }), sessionOf(userId, { createdAt: NOW - 1 })];
      for (const session of created) await sessions.create(session);
      await sessions.create(sessionOf(randomUUID()));
      const first = await sessions.listIndexed(userId, { limit: 2, newestFirst: true });
      expect(first.sessions.map((entry) => entry.id)).toEqual([created[2]!.id, created[1]!.id]);
      expect(first.sessions[0]).toEqual({ id: created[2]!.id, createdAt: NOW - 1, absoluteExpiresAt: NOW + 24 * HOUR });
      const second = await sessions.listIndexed(userId, { limit: 2, newestFirst: true, after: first.next });
      expect(second.sessions.map((entry) => entry.id)).toEqual([created[0]!.id]);
      expect(second.next).toBeUndefined();
      expect((await sessions.listIndexed(userId, { limit: 5, newestFirst: false })).sessions.map((entry) => entry.id)).toEqual(created.map((session) => session.id));
      expect((await sessions.summaries([created[0]!.id, randomUUID()])).map((summary) => summary.id)).toEqual([created[0]!.id]);
    });

    it('records a re-authentication only on a live session of its user, adding a passkey once', async () => {
      const userId = randomUUID();
      const session = sessionOf(userId);
      await sessions.create(session);
      const passkey = claimsOf(['hwk', 'user'], NOW + 10_000);
      expect(await sessions.reauthenticate({ sessionId: session.id, userId: randomUUID(), now: NOW + 10_000, claims: claimsOf(['otp'], NOW + 10_000) })).toBeUndefined();
      expect(await sessions.reauthenticate({ sessionId: session.id, userId, now: NOW + 10_000, claims: passkey, passkeyId: 'p1' })).toMatchObject({ claims: passkey, passkeyIds: ['p1'] });
      expect((await sessions.reauthenticate({ sessionId: session.id, userId, now: NOW + 20_000, claims: passkey, passkeyId: 'p1' }))?.passkeyIds).toEqual(['p1']);
      expect(await sessions.reauthenticate({ sessionId: session.id, userId, now: NOW + 2 * HOUR, claims: claimsOf(['pwd'], NOW + 2 * HOUR) })).toBeUndefined();
    });

    it('opens a session guarded by a roles version only while the account is still at it (else RolesChangedError; a credentials change stays InvalidCredentialsError)', async () => {
      // Arrange: an account whose roles were set once (version 1).
      const account = { id: randomUUID(), email: uniqueEmail('roles-guard'), passwordHash: 'pw-1', createdAt: NOW, emailVerified: true, mfaEnabled: false, credentialsVersion: 0 };
      await users.create(account);
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1', rolesVersion: 0 })).resolves.toBeUndefined();
      await users.setRoles(account.id, ['admin']);
      // Act / Assert
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1', rolesVersion: 1 })).resolves.toBeUndefined();
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1', rolesVersion: 0 })).rejects.toThrow(RolesChangedError);
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, credentialsVersion: 0, rolesVersion: 0 })).rejects.toThrow(RolesChangedError);
      await changes.setPasswordHash(account.email, account.id, 'pw-2');
      await expect(sessions.create(sessionOf(account.id), { email: account.email, userId: account.id, passwordHash: 'pw-1', rolesVersion: 0 })).rejects.toThrow(InvalidCredentialsError);
    });

    it('writes the account\'s claims onto a live session of its user only, keeping the sign-in\'s; a re-authentication keeps the account\'s', async () => {
      // Arrange
      const userId = randomUUID();
      const session = sessionOf(userId);
      await sessions.create(session);
      const granted = { roles: ['admin'], scope: 'audit:read users:read' };
      // Act / Assert: another user's, or the session once expired, is not written.
      expect(await sessions.setAccountClaims({ sessionId: session.id, userId: randomUUID(), now: NOW, claims: granted })).toBe(false);
      expect(await sessions.setAccountClaims({ sessionId: randomUUID(), userId, now: NOW, claims: granted })).toBe(false);
      expect(await sessions.setAccountClaims({ sessionId: session.id, userId, now: NOW + 2 * HOUR, claims: granted })).toBe(false);
      expect(await sessions.setAccountClaims({ sessionId: session.id, userId, now: NOW, claims: granted })).toBe(true);
      expect((await sessions.get(session.id))?.claims).toEqual({ ...session.claims, ...granted });
      const reauthenticated = await sessions.reauthenticate({ sessionId: session.id, userId, now: NOW + 1_000, claims: claimsOf(['hwk', 'user', 'mfa'], NOW + 1_000) });
      expect(reauthenticated?.claims).toEqual({ ...claimsOf(['hwk', 'user', 'mfa'], NOW + 1_000), ...granted });
      // Taking every role away leaves roles [] and no scope.
      expect(await sessions.setAccountClaims({ sessionId: session.id, userId, now: NOW + 2_000, claims: { roles: [], scope: '' } })).toBe(true);
      expect((await sessions.get(session.id))?.claims).toEqual(claimsOf(['hwk', 'user', 'mfa'], NOW + 1_000));
      await sessions.revoke(session.id, 'logout', NOW + 3_000);
      expect(await sessions.setAccountClaims({ sessionId: session.id, userId, now: NOW + 4_000, claims: granted })).toBe(false);
    });
  },
);
