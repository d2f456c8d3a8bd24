/**
 * The client registry's operations, shared by the admin API (handlers/admin-*-client*.ts) and
 * `npm run clients` (scripts/clients.ts): register, list, show, delete, rotate the secret. Each
 * change is a security event (client_created, client_deleted, client_secret_rotated) with the
 * acting admin as the event's account and actor, so the audit trail keeps it; the CLI's operator is
 * no account, and its events go to its log only.
 */
import { listingCursorOf, listingPositionIn } from '../admin/listing-cursor';
import type { Clock } from '../core/clock';
import { InvalidRequestError, NotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import { validate } from '../http/validation';
import { clientMetadataSchema, toClientView, type ClientView, type ClientWithSecret, type OAuthClient } from './client';
import { newClientId, type ClientSecrets } from './client-secret';
import type { ClientStore } from './client-store';

/** At most this many clients a page of GET /admin/clients (as many as a page of users). */
export const CLIENTS_PAGE_SIZE = 100;
/** What a client listing's cursor is bound to (lib/admin/listing-cursor.ts). */
const CLIENTS_SCOPE = 'clients';

/** Who made a change: an admin of the API, or nobody (the operator's CLI). */
export interface ClientActor {
  readonly userId: string;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

interface ChangeDeps {
  readonly clock: Clock;
  readonly logger: Logger;
}

const eventFields = (clientId: string, actor: ClientActor | undefined) =>
  actor === undefined ? { clientId } : { clientId, userId: actor.userId, actorId: actor.userId, ip: actor.ip, userAgent: actor.userAgent };

const withSecret = (client: OAuthClient, secret: string): ClientWithSecret => ({ ...toClientView(client), client_secret: secret, client_secret_expires_at: 0 });

/** Registers a client from its metadata (RFC 7591 names; 400 invalid_request naming the rule it breaks); the secret is in the answer only. */
export async function registerClient(
  deps: ChangeDeps & { clients: Pick<ClientStore, 'create'>; secrets: ClientSecrets },
  metadata: unknown,
  actor?: ClientActor,
): Promise<ClientView | ClientWithSecret> {
  const registered = validate(clientMetadataSchema, metadata);
  const clientId = newClientId();
  const confidential = registered.token_endpoint_auth_method !== 'none';
  const minted = confidential ? deps.secrets.mint(clientId) : undefined;
  const client: OAuthClient = {
    clientId,
    clientName: registered.client_name,
    redirectUris: registered.redirect_uris,
    postLogoutRedirectUris: registered.post_logout_redirect_uris,
    grantTypes: registered.grant_types,
    tokenEndpointAuthMethod: registered.token_endpoint_auth_method,
    scope: registered.scope,
    firstParty: registered.first_party,
    allowedResources: registered.allowed_resources,
    createdAt: deps.clock.now(),
    ...(minted ? { secretHash: minted.hash } : {}),
  };
  await deps.clients.create(client);
  deps.logger.security('client_created', eventFields(clientId, actor));
  return minted ? withSecret(client, minted.secret) : toClientView(client);
}

/** One client; 404 not_found for an unknown id. */
export async function clientOf(clients: Pick<ClientStore, 'get'>, clientId: string): Promise<OAuthClient> {
  const client = await clients.get(clientId);
  if (!client) throw new NotFoundError('The client');
  return client;
}

export async function describeClient(deps: { clients: Pick<ClientStore, 'get'> }, clientId: string): Promise<ClientView> {
  return toClientView(await clientOf(deps.clients, clientId));
}

/** Deletes a client; 404 not_found when there is none (a second delete included). */
export async function deleteClient(deps: ChangeDeps & { clients: Pick<ClientStore, 'delete'> }, clientId: string, actor?: ClientActor): Promise<void> {
  if (!(await deps.clients.delete(clientId))) throw new NotFoundError('The client');
  deps.logger.security('client_deleted', eventFields(clientId, actor));
}

/**
 * A new secret for a confidential client, shown in this answer only; the old one stops working at
 * once. 404 not_found for an unknown id; 400 invalid_request for a public client (it has no secret:
 * the request is wrong whatever the client's state, so not a 409).
 */
export async function rotateClientSecret(
  deps: ChangeDeps & { clients: Pick<ClientStore, 'rotateSecret'>; secrets: ClientSecrets },
  clientId: string,
  actor?: ClientActor,
): Promise<ClientWithSecret> {
  const minted = deps.secrets.mint(clientId);
  const result = await deps.clients.rotateSecret(clientId, minted.hash, deps.clock.now());
  if ('refused' in result) {
    if (result.refused === 'not_found') throw new NotFoundError('The client');
    throw new InvalidRequestError('Invalid request: a public client (token_endpoint_auth_method none) has no secret to rotate.');
  }
  deps.logger.security('client_secret_rotated', eventFields(clientId, actor));
  return withSecret(result.rotated, minted.secret);
}

/** One page of clients, with a cursor while more may follow. */
export async function listClients(deps: { clients: Pick<ClientStore, 'list'> }, query: { cursor?: string | undefined } = {}): Promise<{ clients: ClientView[]; next_cursor?: string }> {
  const after = query.cursor === undefined ? undefined : listingPositionIn(CLIENTS_SCOPE, query.cursor);
  const page = await deps.clients.list({ after, limit: CLIENTS_PAGE_SIZE });
  return { clients: page.clients.map(toClientView), ...(page.next === undefined ? {} : { next_cursor: listingCursorOf(CLIENTS_SCOPE, page.next) }) };
}
