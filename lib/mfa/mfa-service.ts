/**
 * TOTP enrolment and the second step of a login. Rules kept here, storage behind MfaStore:
 * - setup keeps a fresh secret aside (sealed, TTL); only `confirm` with a code of the latest
 *   pending secret turns TOTP on, and returns ten recovery codes once;
 * - a TOTP code is accepted for the current step ±1 and only for a step later than the last one
 *   accepted for the account (a conditional write), so no code is ever accepted twice;
 * - a wrong code (ill-formed ones included) counts against the MFA token (five end it) and the
 *   account's login throttle, whose count is taken before the code is checked;
 * - the MFA token and the code or recovery code are spent together in one transaction.
 */
import { accountOf } from '../accounts/account-service';
import { checkCredentials, countAttempt, resetAttemptsAfterSuccess, type CredentialCheckDeps } from '../accounts/login';
import type { AttemptLimits, UserStore } from '../accounts/user-store';
import type { Clock } from '../core/clock';
import { InvalidMfaCodeError, InvalidMfaTokenError, InvalidRequestError, MfaAlreadyEnabledError, NotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { ClientInfo, IssuedTokens, SessionIssuer } from '../sessions/session-service';
import type { MfaCrypto } from './mfa-crypto';
import { isMfaTokenLive, type MfaStore, type RefreshTokenDelivery, type SecondFactorUse, type TotpState } from './mfa-store';
import { qrSvg } from './qr';
import { newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes';
import { matchStep, newTotpSecret, otpauthUri } from './totp';

export const MFA_TOKEN_MAX_FAILURES = 5;
/** How long an unconfirmed secret waits for its first code. */
export const PENDING_TOTP_TTL_SECONDS = 900;

/**
 * `amr` of a session whose login's second step was a TOTP code (RFC 8176: otp, mfa) or a
 * recovery code. RFC 8176 has no value for a recovery code: `rc` is ours, so an API can tell a
 * login that used up a recovery code (and perhaps suggest enrolling a new phone).
 */
export const TOTP_AMR = ['otp', 'mfa'] as const;
export const RECOVERY_CODE_AMR = ['mfa', 'rc'] as const;

interface MfaBaseDeps {
  readonly clock: Clock;
  readonly users: UserStore;
  readonly mfa: MfaStore;
  readonly crypto: MfaCrypto;
}

type CodeCheckDeps = MfaBaseDeps & { readonly limits: AttemptLimits; readonly logger: Logger };

export interface TotpSetup {
  readonly secret: string;
  readonly otpauthUri: string;
  readonly qrSvg: string;
}

/** Starts enrolment: a new secret, kept aside (replacing any earlier one) until confirmed. */
export async function startTotpSetup(deps: MfaBaseDeps & { readonly issuer: string }, userId: string): Promise<TotpSetup> {
  const account = await accountOf(deps.users, userId);
  if (account.mfaEnabled) throw new MfaAlreadyEnabledError();
  const secret = newTotpSecret();
  await deps.mfa.savePending(userId, deps.crypto.sealSecret(secret, userId), deps.clock.now() + PENDING_TOTP_TTL_SECONDS * 1000);
  // The otpauth label splits issuer from account on a colon, which an email's local part may hold.
  const uri = otpauthUri({ secret, issuer: deps.issuer, account: account.email.replace(/:/g, '_') });
  return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
}

/** Turns TOTP on with a code of the latest pending secret; returns the ten recovery codes, once. */
export async function confirmTotp(deps: MfaBaseDeps & { readonly logger: Logger }, userId: string, code: string, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
  const { clock, mfa, crypto, logger } = deps;
  const account = await accountOf(deps.users, userId);
  if (account.mfaEnabled) throw new MfaAlreadyEnabledError();
  const now = clock.now();
  const pending = await mfa.pending(userId);
  const step = pending && pending.expiresAt > now ? matchStep({ secret: crypto.openSecret(pending.sealedSecret, userId), code, now }) : undefined;
  if (!pending || step === undefined) {
    logger.security('mfa_failed', { userId, stage: 'confirm', ip: client.ip, userAgent: client.userAgent });
    throw new InvalidMfaCodeError();
  }
  const recoveryCodes = newRecoveryCodes();
  const outcome = await mfa.enable({ userId, email: account.email, sealedSecret: pending.sealedSecret, step, recoveryCodeHashes: recoveryCodes.map(crypto.hashRecoveryCode) });
  if (outcome === 'already_enabled') throw new MfaAlreadyEnabledError();
  if (outcome === 'stale_secret') throw new InvalidMfaCodeError(); // a newer setup replaced this secret
  logger.security('mfa_enabled', { userId, ip: client.ip, userAgent: client.userAgent });
  return { recoveryCodes };
}


/** The step of a TOTP code that may still be spent (current ±1, later than the last used), else undefined. */
function usableStep(crypto: MfaCrypto, state: TotpState, userId: string, code: unknown, now: number): number | undefined {
  if (!state.enabled || !state.sealedSecret) return undefined;
  const step = matchStep({ secret: crypto.openSecret(state.sealedSecret, userId), code, now });
  return step !== undefined && step > state.lastUsedStep ? step : undefined;
}

/** Turns TOTP off: needs the password (throttled like a login) and a current code. */
export async function disableTotp(deps: CodeCheckDeps & CredentialCheckDeps, userId: string, password: string, code: string, client: ClientInfo): Promise<void> {
  const account = await accountOf(deps.users, userId);
  await checkCredentials(deps, account.email, password, client);
  await resetAttemptsAfterSuccess(deps, account);
  const state = await deps.mfa.totpState(account.email, userId);
  if (!state) throw new NotFoundError('The account');
  // A code counts against the account's login throttle before it is looked at.
  await countAttempt(deps, account.email, userId, client);
  const step = usableStep(deps.crypto, state, userId, code, deps.clock.now());
  if (step === undefined || !(await deps.mfa.disable({ userId, email: account.email, step }))) {
    deps.logger.security('mfa_failed', { userId, stage: 'disable', ip: client.ip, userAgent: client.userAgent });
    throw new InvalidMfaCodeError();
  }
  await deps.users.clearAttempts(account.email);
  deps.logger.security('mfa_disabled', { userId, ip: client.ip, userAgent: client.userAgent });
}

/** Replaces every recovery code (needs the password); the new ones are returned once. */
export async function replaceRecoveryCodes(deps: MfaBaseDeps & CredentialCheckDeps, userId: string, password: string, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
  const account = await accountOf(deps.users, userId);
  await checkCredentials(deps, account.email, password, client);
  await resetAttemptsAfterSuccess(deps, account);
  const recoveryCodes = newRecoveryCodes();
  const replaced = await deps.mfa.replaceRecoveryCodes({ userId, email: account.email, recoveryCodeHashes: recoveryCodes.map(deps.crypto.hashRecoveryCode) });
  if (!replaced) throw new InvalidRequestError('Two-step verification is off: there are no recovery codes to replace.');
  deps.logger.security('recovery_codes_replaced', { userId, ip: client.ip, userAgent: client.userAgent });
  return { recoveryCodes };
}

/** The second step's proof: exactly one of a TOTP code or a recovery code, as typed. */
export type SecondFactorProof = { readonly code: string } | { readonly recoveryCode: string };

/**
 * Finishes a login that answered mfa_required: checks the MFA token, counts the attempt, checks
 * the code, then spends token and code together and opens the session in the delivery the
 * password step asked for.
 */
export async function verifyMfaLogin(
  deps: CodeCheckDeps & { readonly sessions: SessionIssuer },
  mfaToken: unknown,
  proof: SecondFactorProof,
  client: ClientInfo,
): Promise<{ tokens: IssuedTokens; delivery: RefreshTokenDelivery }> {
  const { clock, users, mfa, crypto, logger } = deps;
  const now = clock.now();
  const tokenHash = crypto.tokens.hashOf(mfaToken);
  const login = tokenHash === undefined ? undefined : await mfa.mfaToken(tokenHash);
  if (tokenHash === undefined || !login || !isMfaTokenLive(login, now, MFA_TOKEN_MAX_FAILURES)) throw new InvalidMfaTokenError();
  const { userId, email } = login;
  await countAttempt(deps, email, userId, client);
  const state = await mfa.totpState(email, userId);
  // The account was deleted, TOTP turned off or the password replaced since the password step: start again.
  if (!state?.enabled || state.credentialsVersion !== login.credentialsVersion) throw new InvalidMfaTokenError();

  const use = secondFactorUse(crypto, state, userId, proof, now);
  const outcome = use ? await mfa.completeLogin({ tokenHash, now, maxFailures: MFA_TOKEN_MAX_FAILURES, userId, email, credentialsVersion: login.credentialsVersion, use }) : 'code_rejected';
  if (outcome === 'token_invalid') throw new InvalidMfaTokenError();
  if (outcome === 'code_rejected' || !use) {
    await mfa.countMfaTokenFailure(tokenHash, MFA_TOKEN_MAX_FAILURES);
    logger.security('mfa_failed', { userId, stage: 'login', method: 'code' in proof ? 'totp' : 'recovery_code', ip: client.ip, userAgent: client.userAgent });
    throw new InvalidMfaCodeError();
  }
  await users.clearAttempts(email);
  if (use.kind === 'recovery') logger.security('recovery_code_used', { userId, remaining: state.recoveryCodeHashes.length - 1, ip: client.ip, userAgent: client.userAgent });
  const amr = [...login.amr, ...(use.kind === 'totp' ? TOTP_AMR : RECOVERY_CODE_AMR)];
  return { tokens: await deps.sessions.open(userId, amr, client), delivery: login.delivery };
}

/** What the proof would spend, or undefined when it cannot be right (ill-formed, wrong, used). */
function secondFactorUse(crypto: MfaCrypto, state: TotpState, userId: string, proof: SecondFactorProof, now: number): SecondFactorUse | undefined {
  if ('code' in proof) {
    const step = usableStep(crypto, state, userId, proof.code, now);
    return step === undefined ? undefined : { kind: 'totp', step };
  }
  const normalised = normaliseRecoveryCode(proof.recoveryCode);
  if (normalised === undefined) return undefined;
  const codeHash = crypto.recoveryCodeHashes(normalised).find((hash) => state.recoveryCodeHashes.includes(hash));
  return codeHash === undefined ? undefined : { kind: 'recovery', codeHash };
}



export { MFA_TOKEN_TTL_SECONDS, createSecondFactorStarter } from './mfa-login-start';
export { forgetUnprovenTotp, purgeMfaData } from './mfa-purge';
