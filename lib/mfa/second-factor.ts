/**
 * Checking a TOTP code or a recovery code against an account's TOTP state: what a right one would
 * spend. Shared by the login's second step, disabling TOTP and re-authentication; kept apart from
 * mfa-service.ts so a function that only checks codes bundles no QR code generator.
 */
import type { MfaCrypto } from './mfa-crypto';
import type { SecondFactorUse, TotpState } from './mfa-store';
import { normaliseRecoveryCode } from './recovery-codes';
import { matchStep } from './totp';
import { AMR_OF_METHOD, secondFactorProof, type SignInProof } from '../sessions/sign-in';

/**
 * `amr` of a second step with a TOTP code (RFC 8176: otp, mfa) or a recovery code. RFC 8176 has no
 * value for a recovery code: `rc` is ours, so an API can tell a login that used up a recovery code
 * (and perhaps suggest enrolling a new phone). Decided in lib/sessions/sign-in.ts.
 */
export const TOTP_AMR = AMR_OF_METHOD.totp;
export const RECOVERY_CODE_AMR = AMR_OF_METHOD.recovery_code;

/** The second step's proof: exactly one of a TOTP code or a recovery code, as typed. */
export type SecondFactorProof = { readonly code: string } | { readonly recoveryCode: string };

/** The sign-in proof of a spent code; `countsAsMfa` is false while TOTP is on probation (lib/reauth/factor-trust.ts). */
export const proofOfUse = (use: SecondFactorUse, countsAsMfa: boolean): SignInProof => secondFactorProof(use.kind === 'totp' ? 'totp' : 'recovery_code', countsAsMfa);

/** The step of a TOTP code that may still be spent (current ±1, later than the last used), else undefined. */
export function usableStep(crypto: MfaCrypto, state: TotpState, userId: string, code: unknown, now: number): number | undefined {
  if (!state.enabled || !state.sealedSecret) return undefined;
  const step = matchStep({ secret: crypto.openSecret(state.sealedSecret, userId), code, now });
  return step !== undefined && step > state.lastUsedStep ? step : undefined;
}

/** What the proof would spend, or undefined when it cannot be right (ill-formed, wrong, used). */
export function secondFactorUse(crypto: MfaCrypto, state: TotpState, userId: string, proof: SecondFactorProof, now: number): SecondFactorUse | undefined {
  if ('code' in proof) {
    const step = usableStep(crypto, state, userId, proof.code, now);
    return step === undefined ? undefined : { kind: 'totp', step };
  }
  const normalised = normaliseRecoveryCode(proof.recoveryCode);
  if (normalised === undefined) return undefined;
  const codeHash = crypto.recoveryCodeHashes(normalised).find((hash) => state.recoveryCodeHashes.includes(hash));
  return codeHash === undefined ? undefined : { kind: 'recovery', codeHash };
}
