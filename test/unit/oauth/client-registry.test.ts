import { createKeyring } from '../../../lib/core/keyring';
import { InvalidRequestError, NotFoundError } from '../../../lib/core/errors';
import { createClientSecrets } from '../../../lib/oauth/client-secret';
import { CLIENTS_PAGE_SIZE, deleteClient, describeClient, listClients, registerClient, rotateClientSecret } from '../../../lib/oauth/client-registry';
import { createMemoryClientStore } from '../../../lib/oauth/memory-client-store';
import { capturingLogger, frozenClock } from '../../support/fixtures';

function setup() {
  const clock = frozenClock(Date.UTC(2026, 5, 1));
  const clients = createMemoryClientStore();
  const secrets = createClientSecrets(createKeyring(Buffer.alloc(32, 9)));
  const log = capturingLogger();
  return { clock, clients, secrets, log, deps: { clock, clients, secrets, logger: log.logger } };
}

const ADMIN = { userId: 'admin-1', ip: '198.51.100.1', userAgent: 'test' };
const WEB_APP = { client_name: 'Web app', redirect_uris: ['https://app.example.com/cb'] };
const SPA = { ...WEB_APP, client_name: 'SPA', token_endpoint_auth_method: 'none' };

describe('the client registry', () => {
  it('registers a confidential client: the secret in the answer once, only its keyed hash stored, the event logged without it', async () => {
    // Prepare
    const { deps, clients, secrets, log } = setup();
    // Act
    const created = await registerClient(deps, WEB_APP, ADMIN);
    // Assess
    expect(created).toMatchObject({ client_name: 'Web app', token_endpoint_auth_method: 'client_secret_basic', created_at: '2026-06-01T00:00:00.000Z', client_secret_expires_at: 0 });
    const secret = (created as { client_secret: string }).client_secret;
    const stored = clients.clients.get(created.client_id)!;
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(secrets.verifyClientSecret(stored, secret)).toBe(true);
    expect(await describeClient(deps, created.client_id)).not.toHaveProperty('client_secret');
    expect(log.lines).toEqual([expect.objectContaining({ security_event: 'client_created', clientId: created.client_id, userId: 'admin-1', actorId: 'admin-1' })]);
    expect(log.raw.join('\n')).not.toContain(secret);
  });

  it('registers a public client without a secret, and refuses to rotate what it does not have (400 invalid_request)', async () => {
    const { deps } = setup();
    const created = await registerClient(deps, SPA);
    expect(created).not.toHaveProperty('client_secret');
    expect(created.token_endpoint_auth_method).toBe('none');
    await expect(rotateClientSecret(deps, created.client_id, ADMIN)).rejects.toThrow(InvalidRequestError);
  });

  it('refuses bad metadata with 400 invalid_request and stores nothing', async () => {
    const { deps, clients } = setup();
    await expect(registerClient(deps, { client_name: 'x', redirect_uris: ['http://app.example.com/cb'] })).rejects.toThrow(InvalidRequestError);
    await expect(registerClient(deps, 'not an object')).rejects.toThrow(InvalidRequestError);
    expect(clients.clients.size).toBe(0);
  });

  it('rotates a secret: the new one verifies at once, the old one no longer', async () => {
    const { deps, clients, secrets, clock, log } = setup();
    const created = (await registerClient(deps, WEB_APP, ADMIN)) as { client_id: string; client_secret: string };
    clock.advance(1_000);
    const rotated = await rotateClientSecret(deps, created.client_id, ADMIN);
    const stored = clients.clients.get(created.client_id)!;
    expect(rotated.client_secret).not.toBe(created.client_secret);
    expect(secrets.verifyClientSecret(stored, rotated.client_secret)).toBe(true);
    expect(secrets.verifyClientSecret(stored, created.client_secret)).toBe(false);
    expect(stored.secretRotatedAt).toBe(clock.now());
    expect(log.lines.map((line) => line.security_event)).toEqual(['client_created', 'client_secret_rotated']);
  });

  it('answers 404 not_found for an unknown id, on show, rotate and delete (a second delete included)', async () => {
    const { deps } = setup();
    const created = await registerClient(deps, WEB_APP, ADMIN);
    await deleteClient(deps, created.client_id, ADMIN);
    await expect(deleteClient(deps, created.client_id, ADMIN)).rejects.toThrow(NotFoundError);
    await expect(describeClient(deps, created.client_id)).rejects.toThrow(NotFoundError);
    await expect(rotateClientSecret(deps, created.client_id, ADMIN)).rejects.toThrow(NotFoundError);
  });

  it('lists clients a page at a time, with a cursor while more follow', async () => {
    const { deps } = setup();
    for (let i = 0; i < CLIENTS_PAGE_SIZE + 2; i++) await registerClient(deps, { ...WEB_APP, client_name: `App ${i}` });
    const first = await listClients(deps);
    const second = await listClients(deps, { cursor: first.next_cursor });
    expect(first.clients).toHaveLength(CLIENTS_PAGE_SIZE);
    expect(second.clients).toHaveLength(2);
    expect(second.next_cursor).toBeUndefined();
    expect(new Set([...first.clients, ...second.clients].map((client) => client.client_id)).size).toBe(CLIENTS_PAGE_SIZE + 2);
    expect(JSON.stringify(first)).not.toMatch(/"client_secret"|secretHash/);
    await expect(listClients(deps, { cursor: 'not a cursor!' })).rejects.toThrow(InvalidRequestError);
    await expect(listClients(deps, { cursor: Buffer.from(JSON.stringify(['users', 'x'])).toString('base64url') })).rejects.toThrow(InvalidRequestError);
  });
});
