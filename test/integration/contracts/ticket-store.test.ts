import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbTicketStore } from '../../../lib/aws/dynamodb-ticket-store';
import { ticketKey } from '../../../lib/aws/users-table';
import { createMemoryTicketStore } from '../../../lib/tickets/memory-ticket-store';
import { ReservedTicketAttributeError, TicketCollisionError, type TicketStore } from '../../../lib/tickets/ticket-store';
import { describeContract, localDynamoDb } from '../../support/store-contract';

const local = localDynamoDb();
// Now, not epoch 0: an item whose ttl has passed may be swept away by DynamoDB Local mid-test.
const T = Date.now();
const newKey = () => randomBytes(32).toString('base64url');
const data = { userId: 'u1', email: 'a@example.com', amr: ['pwd'], credentialsVersion: 2, remember: true };

describeContract<TicketStore>('ticket store', { memory: () => createMemoryTicketStore(), dynamodb: () => createDynamoDbTicketStore(local.client, local.usersTable) }, (build) => {
  it('keeps what it was given and shows it to peek without spending it', async () => {
    const tickets = build();
    const key = newKey();
    await tickets.issue('mfa_login', key, { data, expiresAt: T + 10_000 });
    expect(await tickets.peek('mfa_login', key, { now: T })).toEqual({ data, expiresAt: T + 10_000, failures: 0 });
    expect(await tickets.peek('mfa_login', key, { now: T })).toEqual({ data, expiresAt: T + 10_000, failures: 0 });
    expect(await tickets.peek('webauthn_challenge', key, { now: T })).toBeUndefined();
  });

  it('never issues over a ticket (TicketCollisionError) nor with data using its own names (ReservedTicketAttributeError)', async () => {
    const tickets = build();
    const key = newKey();
    await tickets.issue('mfa_login', key, { data, expiresAt: T + 10_000 });
    await expect(tickets.issue('mfa_login', key, { data: { other: 'x' }, expiresAt: T + 20_000 })).rejects.toThrow(TicketCollisionError);
    expect((await tickets.peek('mfa_login', key, { now: T }))?.data).toEqual(data);
    await expect(tickets.issue('mfa_login', newKey(), { data: { failures: 0 }, expiresAt: T + 10_000 })).rejects.toThrow(ReservedTicketAttributeError);
  });

  it('is taken once, and not at its expiry (now == expiresAt is over)', async () => {
    const tickets = build();
    const key = newKey();
    await tickets.issue('webauthn_challenge', key, { data: { purpose: 'login' }, expiresAt: T + 10_000 });
    expect(await tickets.peek('webauthn_challenge', key, { now: T + 10_000 })).toBeUndefined();
    expect(await tickets.take('webauthn_challenge', key, { now: T + 10_000 })).toBeUndefined();
    expect(await tickets.take('webauthn_challenge', key, { now: T + 9_999 })).toEqual({ data: { purpose: 'login' }, expiresAt: T + 10_000, failures: 0 });
    expect(await tickets.take('webauthn_challenge', key, { now: T + 9_999 })).toBeUndefined();
    expect(await tickets.peek('webauthn_challenge', key, { now: T })).toBeUndefined();
  });

  it('is not taken when it does not hold the expected data, and stays for the right taker', async () => {
    const tickets = build();
    const key = newKey();
    await tickets.issue('webauthn_challenge', key, { data: { purpose: 'registration', userId: 'u1' }, expiresAt: T + 10_000 });
    expect(await tickets.take('webauthn_challenge', key, { now: T, where: { purpose: 'login' } })).toBeUndefined();
    expect(await tickets.take('webauthn_challenge', key, { now: T, where: { purpose: 'registration', userId: 'u2' } })).toBeUndefined();
    expect((await tickets.take('webauthn_challenge', key, { now: T, where: { purpose: 'registration', userId: 'u1' } }))?.data).toEqual({ purpose: 'registration', userId: 'u1' });
  });

  it('counts failures up to the limit; a ticket at the limit can be neither peeked nor taken', async () => {
    const tickets = build();
    const key = newKey();
    await tickets.issue('mfa_login', key, { data, expiresAt: T + 10_000 });
    expect(await tickets.countFailure('mfa_login', key, 2)).toBe(true);
    expect((await tickets.peek('mfa_login', key, { now: T, maxFailures: 2 }))?.failures).toBe(1);
    expect(await tickets.countFailure('mfa_login', key, 2)).toBe(true);
    expect(await tickets.countFailure('mfa_login', key, 2)).toBe(false);
    expect(await tickets.peek('mfa_login', key, { now: T, maxFailures: 2 })).toBeUndefined();
    expect(await tickets.take('mfa_login', key, { now: T, maxFailures: 2 })).toBeUndefined();
    expect(await tickets.countFailure('mfa_login', newKey(), 2)).toBe(false);
  });

  it('of concurrent takes of one ticket, exactly one gets it', async () => {
    const tickets = build();
    const key = newKey();
    await tickets.issue('mfa_login', key, { data, expiresAt: Date.now() + 60_000 });
    const taken = await Promise.all(Array.from({ length: 6 }, () => tickets.take('mfa_login', key, { now: Date.now(), maxFailures: 5 })));
    expect(taken.filter(Boolean)).toHaveLength(1);
  });
});

describe('ticket store on DynamoDB', () => {
  it('stores a ticket under its kind prefix with a ttl, and takes it with one DeleteItem', async () => {
    const tickets = createDynamoDbTicketStore(local.client, local.usersTable);
    const key = newKey();
    await tickets.issue('mfa_login', key, { data, expiresAt: T + 60_001 });
    const { Item } = await local.client.send(new GetCommand({ TableName: local.usersTable, Key: ticketKey('mfa_login', key) }));
    expect(Item).toMatchObject({ ...data, expiresAt: T + 60_001, failures: 0, ttl: Math.ceil((T + 60_001) / 1000) });
    local.requests.length = 0;
    expect(await tickets.take('mfa_login', key, { now: T })).toBeDefined();
    expect(local.requests).toEqual(['DeleteItem']);
  });
});
