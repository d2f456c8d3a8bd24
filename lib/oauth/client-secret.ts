/**
 * Client ids and secrets.
 *
 * A client id is 128 random bits, base64url: unguessable, URL-safe, and never a secret (it is in
 * every authorization request). A client secret is 256 random bits, base64url, shown once (when the
 * client is made and on each rotation). Only its keyed hash is stored: HMAC-SHA256 of
 * `<client_id>.<secret>` under the keyring's `oauth-client-secret` key (lib/core/keyring.ts), so the
 * table holds nothing usable and a hash copied onto another client does not verify there.
 *
 * A presented secret is checked against the hash in constant time, under the current server key
 * and, during a hash-key rotation, the previous one. A client secret does not expire as tokens
 * do: once the previous key is dropped, a secret hashed under it no longer verifies, so rotate the
 * confidential clients' secrets (`npm run clients -- rotate-secret`) before dropping it.
 */
import { randomBytes } from 'node:crypto';
import type { Keyring } from '../core/keyring';
import type { OAuthClient } from './client';

const CLIENT_ID_BYTES = 16;
const SECRET_BYTES = 32;
/** A presented secret longer than this is no secret of ours, and is not hashed. */
const MAX_PRESENTED_SECRET = 512;

/** The shape of a client id: base64url, within reason (lib/http checks paths against it before a read). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const newClientId = (): string => randomBytes(CLIENT_ID_BYTES).toString('base64url');

export interface ClientSecrets {
  /** A fresh secret for the client and its keyed hash (what the store keeps). */
  mint(clientId: string): { secret: string; hash: string };
  /** Whether `presented` is the client's secret: false for a public client, a non-string or a wrong secret; constant time. */
  verifyClientSecret(client: Pick<OAuthClient, 'clientId' | 'secretHash'>, presented: unknown): boolean;
}

export function createClientSecrets(keyring: Keyring): ClientSecrets {
  const key = keyring.purpose('oauth-client-secret');
  // The id has no '.', so `<id>.<secret>` spells one pair only.
  const hashOf = (clientId: string, secret: string) => [clientId, '.', secret] as const;
  return {
    mint(clientId) {
      const secret = randomBytes(SECRET_BYTES).toString('base64url');
      return { secret, hash: key.hash(...hashOf(clientId, secret)) };
    },
    verifyClientSecret(client, presented) {
      if (client.secretHash === undefined || typeof presented !== 'string' || presented === '' || presented.length > MAX_PRESENTED_SECRET) return false;
      return key.matches(client.secretHash, ...hashOf(client.clientId, presented));
    },
  };
}
