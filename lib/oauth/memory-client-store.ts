import type { OAuthClient } from './client';
import { ClientIdTakenError, type ClientStore } from './client-store';

/** The in-memory twin of the DynamoDB client store, ordered by client id. */
export function createMemoryClientStore(): ClientStore & { readonly clients: ReadonlyMap<string, OAuthClient> } {
  const clients = new Map<string, OAuthClient>();
  return {
    clients,
    async create(client) {
      if (clients.has(client.clientId)) throw new ClientIdTakenError();
      clients.set(client.clientId, client);
    },
    async get(clientId) {
      return clients.get(clientId);
    },
    async list({ after, limit }) {
      const ids = [...clients.keys()].filter((id) => after === undefined || id > after).sort();
      const page = ids.slice(0, limit);
      return { clients: page.map((id) => clients.get(id)!), ...(ids.length > limit ? { next: page.at(-1) } : {}) };
    },
    async delete(clientId) {
      return clients.delete(clientId);
    },
    async rotateSecret(clientId, secretHash, rotatedAt) {
      const client = clients.get(clientId);
      if (!client) return { refused: 'not_found' };
      if (client.secretHash === undefined) return { refused: 'no_secret' };
      const rotated = { ...client, secretHash, secretRotatedAt: rotatedAt };
      clients.set(clientId, rotated);
      return { rotated };
    },
  };
}
