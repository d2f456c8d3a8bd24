/**
 * Single-use tickets: a short-lived record stored under the keyed hash of a random token (the
 * keyring makes the hash, so the store holds nothing usable), read with `peek`, spent with `take`.
 * One conditional delete decides a take, so of concurrent takes of one ticket at most one gets it;
 * `countFailure` is a conditional counter that ends a ticket after too many wrong guesses.
 *
 * Used by the MFA token of a login's second step, by WebAuthn challenges and by the one-time
 * tokens of email links (verify email, reset password: lib/accounts/account-change-store.ts; "this
 * wasn't me": lib/reauth/factor-notice-store.ts); OAuth codes and
 * federation state are meant to be further kinds. Each kind has its key prefix in the users table
 * (lib/aws/users-table.ts). Times are epoch ms.
 */
export const TICKET_KINDS = ['mfa_login', 'webauthn_challenge', 'one_time_token'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

/** What a ticket carries: flat values (stored as top-level attributes beside the ticket's own). */
export type TicketValue = string | number | boolean | readonly string[];
export type TicketData = Readonly<Record<string, TicketValue>>;

/** The names a ticket keeps for itself; its data may not use them. */
export const RESERVED_TICKET_ATTRIBUTES: readonly string[] = ['pk', 'ttl', 'expiresAt', 'failures'];

export interface Ticket<D extends TicketData = TicketData> {
  readonly data: D;
  readonly expiresAt: number;
  /** Wrong guesses counted against it so far. */
  readonly failures: number;
}

export interface TakeConditions {
  readonly now: number;
  /** When given, a ticket with this many failures is over. */
  readonly maxFailures?: number | undefined;
  /** Data values the ticket must hold (its purpose, the account it was issued to). */
  readonly where?: Readonly<Record<string, string | number>> | undefined;
}

/**
 * The one rule of a usable ticket (the DynamoDB condition states the same): not expired
 * (`now == expiresAt` is over), below the failure limit, and holding the expected data.
 */
export function ticketHolds(ticket: Ticket | undefined, { now, maxFailures, where }: TakeConditions): ticket is Ticket {
  if (!ticket || ticket.expiresAt <= now) return false;
  if (maxFailures !== undefined && ticket.failures >= maxFailures) return false;
  return Object.entries(where ?? {}).every(([name, value]) => ticket.data[name] === value);
}

/** Thrown by `issue` when a ticket already sits under the key (a programming error: keys come from 256 random bits). */
export class TicketCollisionError extends Error {
  override readonly name = 'TicketCollisionError';
  constructor(kind: TicketKind) {
    super(`A ${kind} ticket already exists under this key.`);
  }
}

/** Thrown by `issue` when data uses a name the ticket keeps for itself. */
export class ReservedTicketAttributeError extends Error {
  override readonly name = 'ReservedTicketAttributeError';
  constructor(attribute: string) {
    super(`Ticket data may not use the attribute name "${attribute}".`);
  }
}

export function assertTicketData(data: TicketData): void {
  const clash = Object.keys(data).find((name) => RESERVED_TICKET_ATTRIBUTES.includes(name));
  if (clash !== undefined) throw new ReservedTicketAttributeError(clash);
}

export interface TicketStore {
  /** Stores a ticket under `key` (the keyed hash of its token), never over another: TicketCollisionError. */
  issue(kind: TicketKind, key: string, ticket: { readonly data: TicketData; readonly expiresAt: number }): Promise<void>;
  /** The ticket under `key` if it is still usable at `now` (not expired, below `maxFailures`), without spending it. */
  peek(kind: TicketKind, key: string, conditions: TakeConditions): Promise<Ticket | undefined>;
  /** Spends the ticket in one conditional delete (see ticketHolds); undefined when it is not there or does not hold. */
  take(kind: TicketKind, key: string, conditions: TakeConditions): Promise<Ticket | undefined>;
  /** Counts a wrong guess, only while the ticket exists with fewer than `maxFailures`; false when nothing was counted. */
  countFailure(kind: TicketKind, key: string, maxFailures: number): Promise<boolean>;
}
