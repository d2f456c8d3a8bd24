import type { OAuthClient } from './client';

/**
 * Where clients are kept. The DynamoDB adapter (lib/aws/dynamodb-client-store.ts) has its own
 * table; the in-memory twin (memory-client-store.ts) is for unit tests. Both run the same contract
 * test (test/integration/contracts/client-store.test.ts).
 */
export interface ClientPage {
  readonly clients: readonly OAuthClient[];
  /** Where this page ended, when more may follow (an adapter may end a page early, even empty). */
  readonly next?: string | undefined;
}

/** What a secret rotation found: the client with its new hash, no such client, or a client without a secret (public). */
export type SecretRotation = { readonly rotated: OAuthClient } | { readonly refused: 'not_found' | 'no_secret' };

export interface ClientStore {
  /** Stores a new client; never over an existing one (ClientIdTakenError). */
  create(client: OAuthClient): Promise<void>;
  get(clientId: string): Promise<OAuthClient | undefined>;
  /** A page of clients after `after` (a page's `next`), in the adapter's order. */
  list(query: { readonly after?: string | undefined; readonly limit: number }): Promise<ClientPage>;
  /** Deletes the client; false when there was none. */
  delete(clientId: string): Promise<boolean>;
  /** Replaces the secret's hash, only of an existing client that has a secret (one conditional write). */
  rotateSecret(clientId: string, secretHash: string, rotatedAt: number): Promise<SecretRotation>;
}

/** A generated client id that is already taken (a collision of 128 random bits: a fault, never an answer). */
export class ClientIdTakenError extends Error {
  override readonly name = 'ClientIdTakenError';
  constructor() {
    super('A client with this id already exists.');
  }
}
