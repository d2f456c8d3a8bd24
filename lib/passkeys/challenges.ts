import type { TicketStore } from '../tickets/ticket-store';
import type { ChallengePurpose, ChallengeStore, StoredChallenge } from './passkey-store';

/**
 * WebAuthn challenges as single-use tickets (lib/tickets): stored under the keyed hash of the
 * challenge id, holding the purpose, the keyed hash of the challenge and the account it is bound
 * to; taken with the ticket's one conditional delete, which also checks the purpose and the account.
 */
export function createChallengeStore(tickets: TicketStore): ChallengeStore {
  return {
    async put(key, { account, purpose, challengeHash, expiresAt }) {
      const binding: Record<string, string | number> = account ? { userId: account.userId, email: account.email, credentialsVersion: account.credentialsVersion } : {};
      await tickets.issue('webauthn_challenge', key, { data: { purpose, challengeHash, ...binding }, expiresAt });
    },
    async take(key, { purpose, now, userId }) {
      const ticket = await tickets.take('webauthn_challenge', key, { now, where: { purpose, ...(userId === undefined ? {} : { userId }) } });
      if (!ticket) return undefined;
      const { userId: boundTo, email, credentialsVersion } = ticket.data;
      return {
        purpose: ticket.data.purpose === 'registration' ? 'registration' : 'login',
        challengeHash: String(ticket.data.challengeHash),
        // A challenge stored before bindings held no email: it binds to nothing and cannot register.
        account: typeof boundTo === 'string' && typeof email === 'string' ? { userId: boundTo, email, credentialsVersion: typeof credentialsVersion === 'number' ? credentialsVersion : 0 } : undefined,
        expiresAt: ticket.expiresAt,
      } satisfies StoredChallenge;
    },
  };
}

/**
 * Takes the challenge stored under the first of `keys` that holds one (current server key first):
 * a ceremony started just before a hash-key rotation still finishes. Each try is the store's one
 * conditional delete, so a challenge is still taken at most once.
 */
export async function takeChallenge(challenges: ChallengeStore, keys: readonly string[], expected: { purpose: ChallengePurpose; now: number; userId?: string }): Promise<StoredChallenge | undefined> {
  for (const key of keys) {
    const stored = await challenges.take(key, expected);
    if (stored) return stored;
  }
  return undefined;
}
