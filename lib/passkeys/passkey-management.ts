import { accountOf } from '../accounts/account-service';
import type { UserStore } from '../accounts/user-store';
import type { Clock } from '../core/clock';
import { NotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { FactorNotifier } from '../reauth/factor-change';
import { requireRecentSignIn, type RecentSignInPolicy, type SignIn } from '../reauth/recent-sign-in';
import type { ClientInfo } from '../sessions/session-service';
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

export interface RemovalDeps {
  readonly clock: Clock;
  readonly users: Pick<UserStore, 'findById'>;
  readonly passkeys: Pick<PasskeyStore, 'remove'>;
  readonly reauth: RecentSignInPolicy;
  readonly logger: Logger;
  readonly notify: FactorNotifier;
  /** Ends the user's sessions that this passkey opened or re-authenticated (session-service's endSessionsOfPasskey, bound to its store and deadline). */
  readonly endSessionsOfPasskey: (userId: string, credentialId: string) => Promise<number>;
}

/**
 * Removes one of the caller's passkeys (a sensitive change: a recent sign-in); another account's
 * or an unknown one is 404. The sessions it opened or re-authenticated end, the caller's own too
 * when that is one of them: swept before the removal (a failure there is a 503 that changed
 * nothing, so a retry finishes the job) and again after it, for a login that raced it. Then the
 * factor notice goes out.
 */
export async function removePasskey(deps: RemovalDeps, userId: string, signIn: SignIn, credentialId: string, client: ClientInfo): Promise<void> {
  requireRecentSignIn(signIn, deps.clock.now(), deps.reauth, { kind: 'other' });
  const account = await accountOf(deps.users, userId);
  await deps.endSessionsOfPasskey(userId, credentialId);
  if (!(await deps.passkeys.remove(userId, credentialId))) throw new NotFoundError('The passkey');
  deps.logger.security('passkey_removed', { userId, credentialId, ip: client.ip, userAgent: client.userAgent });
  await Promise.all([
    deps.endSessionsOfPasskey(userId, credentialId).catch((error: unknown) => deps.logger.warn('second session sweep after a passkey removal failed', { userId, error })),
    deps.notify(account, { kind: 'passkey_removed', credentialId }),
  ]);
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
