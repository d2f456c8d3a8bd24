/**
 * TOTP enrolment and the second step of a login. Rules kept here, storage behind MfaStore:
 * - setup keeps a fresh secret aside (sealed, TTL); only `confirm` with a code of the latest
 *   pending secret turns TOTP on, and returns ten recovery codes once;
 * - adding TOTP needs a verified email and a recent sign-in (lib/reauth/recent-sign-in.ts), one
 *   that used a second factor when the account already has a passkey; TOTP records how it was
 *   enrolled, which decides whether signing in with it counts as `mfa` (lib/reauth/factor-trust.ts);
 * - a TOTP code is accepted for the current step ±1 and only for a step later than the last one
 *   accepted for the account (a conditional write), so no code is ever accepted twice;
 * - a wrong code (ill-formed ones included), at login, confirm or disable, counts against the
 *   account's login throttle, whose count is taken before the code is checked, and at login
 *   against the MFA token (five end it);
 * - the MFA token and the code or recovery code are spent together in one transaction;
 * - every factor change sends a factor notice (lib/reauth/factor-notices.ts).
 */
import { accountOf } from '../accounts/account-service';
import { checkCredentials, countAttempt, resetAttemptsAfterSuccess, type CredentialCheckDeps } from '../accounts/login';
import type { AccountCredentials, AttemptLimits, UserStore } from '../accounts/user-store';
import type { Clock } from '../core/clock';
import { EmailNotVerifiedError, InvalidMfaCodeError, InvalidMfaTokenError, InvalidRequestError, MfaAlreadyEnabledError, NotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { FactorNotifier } from '../reauth/factor-change';
import { countsAsMfa } from '../reauth/factor-trust';
import { requireRecentSignIn, type RecentSignInPolicy, type SignIn } from '../reauth/recent-sign-in';
import type { ClientInfo, IssuedTokens, SessionIssuer } from '../sessions/session-service';
import type { MfaCrypto } from './mfa-crypto';
import { findLiveMfaToken, type MfaStore, type RefreshTokenDelivery } from './mfa-store';
import { qrSvg } from './qr';
import { newRecoveryCodes } from './recovery-codes';
import { PASSWORD_PROOF } from '../sessions/sign-in';
import { proofOfUse, secondFactorUse, type SecondFactorProof } from './second-factor';
import { matchStep, newTotpSecret, otpauthUri } from './totp';

export { RECOVERY_CODE_AMR, TOTP_AMR, type SecondFactorProof } from './second-factor';

export const MFA_TOKEN_MAX_FAILURES = 5;
/** How long an unconfirmed secret waits for its first code. */
export const PENDING_TOTP_TTL_SECONDS = 900;

interface MfaBaseDeps {
  readonly clock: Clock;
  readonly users: UserStore;
  readonly mfa: MfaStore;
  readonly crypto: MfaCrypto;
}

type CodeCheckDeps = MfaBaseDeps & { readonly limits: AttemptLimits; readonly logger: Logger };

/** What adding TOTP checks besides the account: how recent a sign-in must be, and whether the account has a passkey. */
export interface EnrolmentDeps extends MfaBaseDeps {
  readonly reauth: RecentSignInPolicy;
  readonly hasPasskey: (userId: string) => Promise<boolean>;
}

export interface TotpSetup {
  readonly secret: string;
  readonly otpauthUri: string;
  readonly qrSvg: string;
}

/**
 * The checks before adding TOTP, in the contract's order: a verified email (403), a recent sign-in,
 * with a second factor when the account already has a passkey (403), then TOTP not on yet (409).
 */
async function accountReadyForTotp(deps: EnrolmentDeps, userId: string, signIn: SignIn): Promise<AccountCredentials> {
  const [account, hasPasskey] = await Promise.all([accountOf(deps.users, userId), deps.hasPasskey(userId)]);
  if (!account.emailVerified) throw new EmailNotVerifiedError('Verify your email address before adding a second factor.');
  requireRecentSignIn(signIn, deps.clock.now(), deps.reauth, { kind: 'adds_factor', accountHasFactor: account.mfaEnabled || hasPasskey });
  if (account.mfaEnabled) throw new MfaAlreadyEnabledError();
  return account;
}

/** Starts enrolment: a new secret, kept aside (replacing any earlier one) until confirmed. */
export async function startTotpSetup(deps: EnrolmentDeps & { readonly issuer: string }, userId: string, signIn: SignIn): Promise<TotpSetup> {
  const account = await accountReadyForTotp(deps, userId, signIn);
  const secret = newTotpSecret();
  await deps.mfa.savePending(userId, deps.crypto.sealSecret(secret, userId), deps.clock.now() + PENDING_TOTP_TTL_SECONDS * 1000);
  // The otpauth label splits issuer from account on a colon, which an email's local part may hold.
  const uri = otpauthUri({ secret, issuer: deps.issuer, account: account.email.replace(/:/g, '_') });
  return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
}

/**
 * Turns TOTP on with a code of the latest pending secret; returns the ten recovery codes, once.
 * The code counts against the login throttle like any other; a right one takes its attempt back.
 */
export async function confirmTotp(
  deps: EnrolmentDeps & { readonly limits: AttemptLimits; readonly logger: Logger; readonly notify: FactorNotifier },
  userId: string,
  signIn: SignIn,
  code: string,
  client: ClientInfo,
): Promise<{ recoveryCodes: string[] }> {
  const { clock, mfa, crypto, logger } = deps;
  const account = await accountReadyForTotp(deps, userId, signIn);
  await countAttempt(deps, account.email, userId, client);
  const now = clock.now();
  const pending = await mfa.pending(userId);
  const step = pending && pending.expiresAt > now ? matchStep({ secret: crypto.openSecret(pending.sealedSecret, userId), code, now }) : undefined;
  if (!pending || step === undefined) {
    logger.security('mfa_failed', { userId, stage: 'confirm', ip: client.ip, userAgent: client.userAgent });
    throw new InvalidMfaCodeError();
  }
  const recoveryCodes = newRecoveryCodes();
  const outcome = await mfa.enable({
    userId,
    email: account.email,
    sealedSecret: pending.sealedSecret,
    step,
    recoveryCodeHashes: recoveryCodes.map(crypto.hashRecoveryCode),
    enrolment: { at: now, amr: [...signIn.amr] },
  });
  if (outcome === 'already_enabled') throw new MfaAlreadyEnabledError();
  if (outcome === 'stale_secret') throw new InvalidMfaCodeError(); // a newer setup replaced this secret
  await deps.users.uncountAttempt(account.email);
  logger.security('mfa_enabled', { userId, ip: client.ip, userAgent: client.userAgent });
  await deps.notify(account, { kind: 'totp_enabled', enrolledAt: now });
  return { recoveryCodes };
}

/**
 * Turns TOTP off: needs the password (throttled like a login) and a current code or a recovery
 * code, so a user who lost the phone and signed in with a recovery code can turn it off and enrol again.
 */
export async function disableTotp(
  deps: CodeCheckDeps & CredentialCheckDeps & { readonly notify: FactorNotifier },
  userId: string,
  password: string,
  proof: SecondFactorProof,
  client: ClientInfo,
): Promise<void> {
  const account = await accountOf(deps.users, userId);
  await checkCredentials(deps, account.email, password, client);
  await resetAttemptsAfterSuccess(deps, account);
  const state = await deps.mfa.totpState(account.email, userId);
  if (!state) throw new NotFoundError('The account');
  // A code counts against the account's login throttle before it is looked at.
  await countAttempt(deps, account.email, userId, client);
  const use = secondFactorUse(deps.crypto, state, userId, proof, deps.clock.now());
  if (!use || !(await deps.mfa.disable({ userId, email: account.email, use }))) {
    deps.logger.security('mfa_failed', { userId, stage: 'disable', method: 'code' in proof ? 'totp' : 'recovery_code', ip: client.ip, userAgent: client.userAgent });
    throw new InvalidMfaCodeError();
  }
  await deps.users.clearAttempts(account.email);
  deps.logger.security('mfa_disabled', { userId, method: use.kind === 'totp' ? 'totp' : 'recovery_code', ip: client.ip, userAgent: client.userAgent });
  await deps.notify(account, { kind: 'totp_disabled' });
}

/** Replaces every recovery code (needs the password); the new ones are returned once. */
export async function replaceRecoveryCodes(
  deps: MfaBaseDeps & CredentialCheckDeps & { readonly notify: FactorNotifier },
  userId: string,
  password: string,
  client: ClientInfo,
): Promise<{ recoveryCodes: string[] }> {
  const account = await accountOf(deps.users, userId);
  await checkCredentials(deps, account.email, password, client);
  await resetAttemptsAfterSuccess(deps, account);
  const recoveryCodes = newRecoveryCodes();
  const issuedAt = deps.clock.now();
  const replaced = await deps.mfa.replaceRecoveryCodes({ userId, email: account.email, recoveryCodeHashes: recoveryCodes.map(deps.crypto.hashRecoveryCode), issuedAt });
  if (!replaced) throw new InvalidRequestError('Two-step verification is off: there are no recovery codes to replace.');
  deps.logger.security('recovery_codes_replaced', { userId, ip: client.ip, userAgent: client.userAgent });
  await deps.notify(account, { kind: 'recovery_codes_replaced', issuedAt });
  return { recoveryCodes };
}

/**
 * Finishes a login that answered mfa_required: checks the MFA token, counts the attempt, checks
 * the code, then spends token and code together and opens the session in the delivery the
 * password step asked for. A TOTP enrolled on probation gives no `mfa` (factor-trust.ts).
 */
export async function verifyMfaLogin(
  deps: CodeCheckDeps & { readonly sessions: SessionIssuer; readonly reauth: RecentSignInPolicy },
  mfaToken: unknown,
  proof: SecondFactorProof,
  client: ClientInfo,
): Promise<{ tokens: IssuedTokens; delivery: RefreshTokenDelivery }> {
  const { clock, users, mfa, crypto, logger } = deps;
  const now = clock.now();
  const found = await findLiveMfaToken(mfa, crypto.tokens.hashesOf(mfaToken), now, MFA_TOKEN_MAX_FAILURES);
  if (!found) throw new InvalidMfaTokenError();
  const { tokenHash, login } = found;
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
  // The password step is the only first step that hands out MFA tokens (its amr, ["pwd"], is stored with the token).
  const proofs = [PASSWORD_PROOF, proofOfUse(use, countsAsMfa(state.enrolment, now, deps.reauth))];
  // Guarded like the password step's session: not if the account was disabled (or its credentials replaced) since the code was spent.
  // The account as totpState read it decides the session's roles (no second read).
  const account = { email, credentialsVersion: state.credentialsVersion, roles: state.roles, rolesVersion: state.rolesVersion };
  return { tokens: await deps.sessions.open(userId, proofs, client, { email, userId, credentialsVersion: login.credentialsVersion }, account), delivery: login.delivery };
}

export { MFA_TOKEN_TTL_SECONDS, createSecondFactorStarter } from './mfa-login-start';
export { forgetUnprovenTotp, purgeMfaData } from './mfa-purge';
