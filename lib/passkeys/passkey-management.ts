import { NotFoundError } from '../core/errors';
import type { ClientInfo } from '../sessions/session-service';
import type { Logger } from '../core/logger';
import type { PasskeyRecord, PasskeyStore } from './passkey-store';

/**
 * Passkey management: list, remove, and purge on account deletion. Kept apart from the
 * ceremonies (passkey-service.ts) so these functions, and DELETE /me, bundle no WebAuthn library.
 */

/** Keeps the creation options, allowCredentials and the listing small. */
export const MAX_PASSKEYS_PER_ACCOUNT = 20;

export interface PasskeyView {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
}

/** The caller's passkeys, newest first. */
export async function listPasskeys(deps: { passkeys: Pick<PasskeyStore, 'listByUser'> }, userId: string): Promise<{ passkeys: PasskeyView[] }> {
  const passkeys = await deps.passkeys.listByUser(userId);
  return { passkeys: passkeys.sort((a, b) => b.createdAt - a.createdAt).map(viewOf) };
}

/** Removes one of the caller's passkeys; another account's or an unknown one is 404. */
export async function removePasskey(deps: { passkeys: Pick<PasskeyStore, 'remove'>; logger: Logger }, userId: string, credentialId: string, client: ClientInfo): Promise<void> {
  if (!(await deps.passkeys.remove(userId, credentialId))) throw new NotFoundError('The passkey');
  deps.logger.security('passkey_removed', { userId, credentialId, ip: client.ip, userAgent: client.userAgent });
}

/** Removes every passkey of an account: the purger DELETE /me runs. */
export async function purgePasskeys(deps: { passkeys: Pick<PasskeyStore, 'removeAllOf'> }, userId: string): Promise<void> {
  await deps.passkeys.removeAllOf(userId);
}

function viewOf(passkey: PasskeyRecord): PasskeyView {
  return {
    id: passkey.credentialId,
    name: passkey.name,
    created_at: new Date(passkey.createdAt).toISOString(),
    last_used_at: passkey.lastUsedAt === undefined ? null : new Date(passkey.lastUsedAt).toISOString(),
  };
}
