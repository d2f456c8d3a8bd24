import { assertTicketData, ticketHolds, TicketCollisionError, type TakeConditions, type Ticket, type TicketKind, type TicketStore } from './ticket-store';

/**
 * The in-memory twin of the DynamoDB ticket store. Besides the port it offers `takeNow`, the
 * same take without an await, for an in-memory store that spends a ticket together with another
 * change (the MFA store's completeLogin), as one DynamoDB transaction does.
 */
export interface MemoryTicketStore extends TicketStore {
  readonly tickets: Map<string, Ticket>;
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
  return {
    tickets,
    peekNow,
    takeNow,
    async issue(kind, key, { data, expiresAt }) {
      assertTicketData(data);
      if (tickets.has(id(kind, key))) throw new TicketCollisionError(kind);
      tickets.set(id(kind, key), { data: { ...data }, expiresAt, failures: 0 });
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
