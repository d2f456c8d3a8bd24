/**
 * Re-authentication with the password: the password under the login throttle, and, when TOTP is
 * on, a current code or a recovery code, spent at once (a code proves a sign-in once, here as at
 * login). Kept apart from mfa-service.ts so the re-authentication function bundles no QR code.
 */
import { accountOf } from '../accounts/account-service';
import { checkCredentials, countAttempt, resetAttemptsAfterSuccess, type CredentialCheckDeps } from '../accounts/login';
import { InvalidMfaCodeError, InvalidRequestError } from '../core/errors';
import type { ReauthenticationProof } from '../reauth/reauthenticate';
import { countsAsMfa } from '../reauth/factor-trust';
import type { RecentSignInPolicy } from '../reauth/recent-sign-in';
import type { ClientInfo } from '../sessions/session-service';
import type { MfaCrypto } from './mfa-crypto';
import type { MfaStore } from './mfa-store';
import { PASSWORD_PROOF, type SignInProof } from '../sessions/sign-in';
import { proofOfUse, secondFactorUse } from './second-factor';

export interface PasswordProofDeps extends CredentialCheckDeps {
  readonly mfa: MfaStore;
  readonly crypto: MfaCrypto;
  readonly reauth: RecentSignInPolicy;
}

/**
 * Checks a password proof of the caller's account and returns what it proves: the password, and
 * with TOTP on a TOTP or recovery code (which counts as `mfa` unless TOTP is on probation), so
 * `amr` `["pwd"]`, `["pwd","otp","mfa"]` or `["pwd","mfa","rc"]`. A password alone on an account with TOTP on is 400 invalid_request, before anything
 * is counted; a wrong password or code is 401 and counts against the login throttle.
 */
export async function provePassword(deps: PasswordProofDeps, userId: string, proof: Extract<ReauthenticationProof, { kind: 'password' }>, client: ClientInfo): Promise<readonly SignInProof[]> {
  const { clock, users, mfa, crypto, logger } = deps;
  const account = await accountOf(users, userId);
  const second = proof.code !== undefined ? { code: proof.code } : proof.recoveryCode !== undefined ? { recoveryCode: proof.recoveryCode } : undefined;
  if (account.mfaEnabled && !second) throw new InvalidRequestError('Invalid request: two-step verification is on, so send a code or a recovery code with the password.');
  await checkCredentials(deps, account.email, proof.password, client);
  await resetAttemptsAfterSuccess(deps, account);
  const state = account.mfaEnabled ? await mfa.totpState(account.email, userId) : undefined;
  // TOTP off (or turned off since the account was read): the password is the whole proof.
  if (!state?.enabled || !second) return [PASSWORD_PROOF];
  await countAttempt(deps, account.email, userId, client);
  const now = clock.now();
  const use = secondFactorUse(crypto, state, userId, second, now);
  if (!use || !(await mfa.spend({ userId, email: account.email, use }))) {
    logger.security('mfa_failed', { userId, stage: 'reauthenticate', method: 'code' in second ? 'totp' : 'recovery_code', ip: client.ip, userAgent: client.userAgent });
    throw new InvalidMfaCodeError();
  }
  await users.clearAttempts(account.email);
  if (use.kind === 'recovery') logger.security('recovery_code_used', { userId, remaining: state.recoveryCodeHashes.length - 1, ip: client.ip, userAgent: client.userAgent });
  return [PASSWORD_PROOF, proofOfUse(use, countsAsMfa(state.enrolment, now, deps.reauth))];
}
