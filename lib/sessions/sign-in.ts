/**
 * How a user proved who they are, as one concept.
 *
 * Every way into a session (a password login, its second step, a passkey login, a
 * re-authentication, and later an upstream identity provider) ends in a list of SignInProofs: one
 * per method used, each carrying what the claims need from it. The session issuer turns that list
 * into the session's claims (sessionClaimsOf), once, when the session opens or is
 * re-authenticated; refreshes carry them unchanged. A ClaimsDecider, given to the issuer by the
 * composition, then adds what the account decides (its roles, and their permissions as `scope`)
 * when a session opens; a re-authentication keeps the session's account claims, which a role
 * change keeps current (lib/authz/role-change.ts).
 *
 * `amr` follows RFC 8176 where it has a value: pwd, otp, hwk, user, mfa. `rc` (a recovery code)
 * and `fed` (an upstream identity provider) are ours.
 */
import { NO_SESSION_CLAIMS, type SessionClaims } from '../tokens/session-claims';

export type AuthMethod = 'password' | 'totp' | 'recovery_code' | 'passkey' | 'idp';

/**
 * One method a sign-in used. A second factor says whether it counts as multi-factor: not while it
 * is on probation (lib/reauth/factor-trust.ts), so a factor that a password alone enrolled minutes
 * ago cannot satisfy an authorizer that requires `mfa`.
 */
export type SignInProof =
  | { readonly method: 'password' }
  | { readonly method: 'totp' | 'recovery_code'; readonly countsAsMfa: boolean }
  /** The passkey's credential id: removing that passkey ends the session. */
  | { readonly method: 'passkey'; readonly passkeyId: string; readonly countsAsMfa: boolean }
  /** An upstream identity provider vouched for the user; `idp` names it. */
  | { readonly method: 'idp'; readonly idp: string };

/** The `amr` values each method proves, in the order tokens list them. */
export const AMR_OF_METHOD: { readonly [Method in AuthMethod]: readonly string[] } = {
  password: ['pwd'],
  totp: ['otp', 'mfa'],
  recovery_code: ['mfa', 'rc'],
  passkey: ['hwk', 'user', 'mfa'],
  idp: ['fed'],
};

export const PASSWORD_PROOF: SignInProof = Object.freeze({ method: 'password' });

/** The proof of a TOTP or recovery code that was accepted. */
export const secondFactorProof = (method: 'totp' | 'recovery_code', countsAsMfa: boolean): SignInProof => ({ method, countsAsMfa });

/** The proof of a passkey assertion that was accepted. */
export const passkeyProof = (passkeyId: string, countsAsMfa: boolean): SignInProof => ({ method: 'passkey', passkeyId, countsAsMfa });

/** The `amr` of a sign-in: every method's values once, in order; `mfa` only from a factor that counts as such. */
export function amrOf(proofs: readonly SignInProof[]): string[] {
  const amr: string[] = [];
  for (const proof of proofs) {
    for (const method of AMR_OF_METHOD[proof.method]) {
      if (method === 'mfa' && 'countsAsMfa' in proof && !proof.countsAsMfa) continue;
      if (!amr.includes(method)) amr.push(method);
    }
  }
  return amr;
}

/** The passkey a sign-in used, if any (sessions remember it, so removing the passkey ends them). */
export const passkeyIdOf = (proofs: readonly SignInProof[]): string | undefined => {
  for (const proof of proofs) if (proof.method === 'passkey') return proof.passkeyId;
  return undefined;
};

/**
 * The account as the sign-in read it (the login's own read, or the issuer's): the account's
 * claims are decided from it, and a session whose roles came from it is stored only while the
 * account is still at `rolesVersion`.
 */
export interface SignInAccount {
  readonly email: string;
  readonly credentialsVersion: number;
  readonly roles?: readonly string[] | undefined;
  readonly rolesVersion?: number | undefined;
}

/** What a sign-in is: who, with which proofs, and when (epoch ms); and the account, when there is one. */
export interface SignInEvent {
  readonly userId: string;
  readonly proofs: readonly SignInProof[];
  readonly at: number;
  readonly account?: SignInAccount | undefined;
}

/**
 * Decides the rest of a session's claims from the sign-in (roles and scope from the account); it
 * is given the claims the proofs decided and returns the session's claims.
 */
export type ClaimsDecider = (claims: SessionClaims, signIn: SignInEvent) => SessionClaims | Promise<SessionClaims>;

/** The session claims of a sign-in: its `amr` and `auth_time`; then the decider's say, if there is one. */
export async function sessionClaimsOf(signIn: SignInEvent, decide?: ClaimsDecider): Promise<SessionClaims> {
  if (signIn.proofs.length === 0) throw new Error('a sign-in needs at least one proof');
  const claims: SessionClaims = { ...NO_SESSION_CLAIMS, amr: amrOf(signIn.proofs), authTime: Math.floor(signIn.at / 1000) };
  return decide ? decide(claims, signIn) : claims;
}
