/**
 * POST /auth/reauthenticate: the caller proves again who they are, and their own session records
 * it. The proofs are checked by the features that own them, behind two ports: the password (with a
 * TOTP or recovery code when TOTP is on) by lib/mfa/password-proof.ts, a passkey assertion by
 * lib/passkeys/passkey-service.ts. Both count failures against the login throttle.
 *
 * The session then gets, in one conditional write, a fresh `authTime` and the proof's `amr` (and
 * the passkey, so removing that passkey ends the session), and the answer is a new access token of
 * the same session; the refresh token is not rotated, and later refreshes keep both.
 */
import type { Logger } from '../core/logger';
import type { ClientInfo, SessionIssuer } from '../sessions/session-service';

export type ReauthenticationProof =
  | { readonly kind: 'password'; readonly password: string; readonly code?: string | undefined; readonly recoveryCode?: string | undefined }
  | { readonly kind: 'passkey'; readonly challengeId: string; readonly response: unknown };

/** What a checked proof establishes: the `amr` of this sign-in, and the passkey it used. */
export interface ProvenSignIn {
  readonly amr: readonly string[];
  readonly passkeyId?: string | undefined;
}

/** Checks one kind of proof for the caller's account; throws the contract's error when it fails. */
export type ProofCheck<Kind extends ReauthenticationProof['kind']> = (userId: string, proof: Extract<ReauthenticationProof, { kind: Kind }>, client: ClientInfo) => Promise<ProvenSignIn>;

export interface ReauthenticationDeps {
  readonly provePassword: ProofCheck<'password'>;
  readonly provePasskey: ProofCheck<'passkey'>;
  readonly sessions: Pick<SessionIssuer, 'reauthenticate'>;
  readonly logger: Logger;
}

/** Checks the proof, records it on the caller's session and returns a fresh access token for it. */
export async function reauthenticate(
  deps: ReauthenticationDeps,
  caller: { readonly userId: string; readonly sessionId: string },
  proof: ReauthenticationProof,
  client: ClientInfo,
): Promise<{ accessToken: string; expiresIn: number }> {
  const proven = proof.kind === 'password' ? await deps.provePassword(caller.userId, proof, client) : await deps.provePasskey(caller.userId, proof, client);
  const token = await deps.sessions.reauthenticate(caller, proven.amr, proven.passkeyId);
  deps.logger.security('reauthenticated', { userId: caller.userId, sessionId: caller.sessionId, method: proof.kind, amr: proven.amr.join(' '), ip: client.ip, userAgent: client.userAgent });
  return token;
}
