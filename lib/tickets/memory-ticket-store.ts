import { assertTicketData, ticketHolds, TicketCollisionError, type TakeConditions, type Ticket, type TicketData, type TicketKind, type TicketStore } from './ticket-store';

/**
 * The in-memory twin of the DynamoDB ticket store. Besides the port it offers `issueNow`,
 * `peekNow` and `takeNow`, the same calls without an await, for an in-memory store that issues or
 * spends a ticket together with another change (the MFA store's completeLogin, the account change
 * store's one-time tokens), as one DynamoDB transaction does.
 */
export interface MemoryTicketStore extends TicketStore {
  readonly tickets: Map<string, Ticket>;
  issueNow(kind: TicketKind, key: string, ticket: { readonly data: TicketData; readonly expiresAt: number }): void;
  takeNow(kind: TicketKind, key: string, conditions: TakeConditions): Ticket | undefined;
  peekNow(kind: TicketKind, key: string, conditions: TakeConditions): Ticket | undefined;
}

export function createMemoryTicketStore(): MemoryTicketStore {
  const tickets = new Map<string, Ticket>();
  const id = (kind: TicketKind, key: string) => `${kind}#${key}`;
  const peekNow = (kind: TicketKind, key: string, conditions: TakeConditions) => {
    const ticket = tickets.get(id(kind, key));
    return ticketHolds(ticket, conditions) ? ticket : undefined;
  };
  const takeNow = (kind: TicketKind, key: string, conditions: TakeConditions) => {
    const ticket = peekNow(kind, key, conditions);
    if (ticket) tickets.delete(id(kind, key));
    return ticket;
  };
  const issueNow = (kind: TicketKind, key: string, { data, expiresAt }: { readonly data: TicketData; readonly expiresAt: number }) => {
    assertTicketData(data);
    if (tickets.has(id(kind, key))) throw new TicketCollisionError(kind);
    tickets.set(id(kind, key), { data: { ...data }, expiresAt, failures: 0 });
  };
  return {
    tickets,
    issueNow,
    peekNow,
    takeNow,
    async issue(kind, key, ticket) {
      issueNow(kind, key, ticket);
    },
    async peek(kind, key, conditions) {
      return peekNow(kind, key, conditions);
    },
    async take(kind, key, conditions) {
      return takeNow(kind, key, conditions);
    },
    async countFailure(kind, key, maxFailures) {
      const ticket = tickets.get(id(kind, key));
      if (!ticket || ticket.failures >= maxFailures) return false;
      tickets.set(id(kind, key), { ...ticket, failures: ticket.failures + 1 });
      return true;
    },
  };
}
