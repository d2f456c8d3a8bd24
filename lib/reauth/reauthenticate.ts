/**
 * POST /auth/reauthenticate: the caller proves again who they are, and their own session records
 * it. The proofs are checked by the features that own them, behind two ports: the password (with a
 * TOTP or recovery code when TOTP is on) by lib/mfa/password-proof.ts, a passkey assertion by
 * lib/passkeys/passkey-service.ts. Both count failures against the login throttle.
 *
 * Each check returns the SignInProofs it established (lib/sessions/sign-in.ts); the session then
 * gets, in one conditional write, the claims of this sign-in (a fresh `auth_time`, the proofs'
 * `amr`) and the passkey, if one was used (removing that passkey ends the session), and the answer
 * is a new access token of the same session; the refresh token is not rotated, and later refreshes
 * keep the claims.
 */
import type { Logger } from '../core/logger';
import type { ClientInfo, SessionIssuer } from '../sessions/session-service';
import { amrOf, type SignInProof } from '../sessions/sign-in';

export type ReauthenticationProof =
  | { readonly kind: 'password'; readonly password: string; readonly code?: string | undefined; readonly recoveryCode?: string | undefined }
  | { readonly kind: 'passkey'; readonly challengeId: string; readonly response: unknown };

/** What a checked proof establishes: the methods this sign-in used. */
export type ProvenSignIn = readonly SignInProof[];

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
  const token = await deps.sessions.reauthenticate(caller, proven);
  deps.logger.security('reauthenticated', { userId: caller.userId, sessionId: caller.sessionId, method: proof.kind, amr: amrOf(proven).join(' '), ip: client.ip, userAgent: client.userAgent });
  return token;
}
