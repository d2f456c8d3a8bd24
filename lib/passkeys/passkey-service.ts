import { randomBytes } from 'node:crypto';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { accountOf } from '../accounts/account-service';
import { countAttempt, refuseDisabled } from '../accounts/login';
import type { AccountCredentials, AttemptLimits, CredentialsBinding, UserStore } from '../accounts/user-store';
import type { Clock } from '../core/clock';
import { EmailNotVerifiedError, InvalidCredentialsError, InvalidPasskeyError, InvalidRequestError, NotFoundError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { FactorNotifier } from '../reauth/factor-change';
import { countsAsMfa } from '../reauth/factor-trust';
import { AMR_OF_METHOD, passkeyProof, type SignInProof } from '../sessions/sign-in';
import { requireRecentSignIn, type RecentSignInPolicy, type SignIn } from '../reauth/recent-sign-in';
import type { ReauthenticationProof } from '../reauth/reauthenticate';
import type { ClientInfo, IssuedTokens, SessionIssuer } from '../sessions/session-service';
import { decoyCredentials } from './decoy-credentials';
import type { PasskeyHasher } from './passkey-hashes';
import { PasskeyRejectedError } from './passkey-rejected-error';
import { MAX_PASSKEYS_PER_ACCOUNT, type PasskeyView } from './passkey-management';
import { takeChallenge } from './challenges';
import { enrolmentOf, type ChallengePurpose, type ChallengeStore, type PasskeyRecord, type PasskeyStore, type StoredChallenge } from './passkey-store';
import { clientChallengeOf } from './response-schema';
import {
  CEREMONY_TIMEOUT_MS,
  authenticationOptions,
  credentialIdOf,
  newChallenge,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
  type CredentialDescriptor,
} from './webauthn';

/**
 * The passkey ceremonies: register (options, verify) and log in (options, verify). Listing,
 * removal and the purge on account deletion are in passkey-management.ts, which does not load
 * @simplewebauthn/server (about 260 KB of bundle).
 *
 * Challenges are random (32 bytes), single-use and live 5 minutes. Only keyed hashes are stored:
 * the item's key is the hash of the challenge's id and the item holds the hash of the challenge.
 * A login challenge's id is the opaque `challenge_id` given to the client; a registration has no
 * id in the contract, so the challenge is its own id (the client sends it back in clientDataJSON)
 * and the item is bound to the account it was issued to. A challenge bound to an account also
 * records its credentials version: after a password reset or change it no longer registers (the
 * passkey is added only while the account still has that version, in the same transaction) nor
 * logs in or re-authenticates (a login's session is opened under the same condition). Verification takes the challenge with
 * one conditional delete (so a replay finds nothing), then checks that the challenge the client
 * signed hashes to the stored hash, then lets @simplewebauthn/server check the rest against it.
 *
 * Every refusal of a ceremony is `401 invalid_passkey`; the PasskeyRejectedError code says which
 * check refused it in the log, never to the client.
 */

/** RFC 8176 methods of a passkey login: a hardware-bound key (`hwk`), a user-presence test (`user`), and multi-factor (`mfa`) because user verification (PIN or biometric) is required. */
export const PASSKEY_AMR: readonly string[] = AMR_OF_METHOD.passkey;

export const CHALLENGE_TTL_MS = CEREMONY_TIMEOUT_MS;

const CHALLENGE_ID_BYTES = 32;
const DEFAULT_PASSKEY_NAME = 'Passkey';

export interface WebAuthnSettings {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
}

interface CeremonyDeps {
  readonly clock: Clock;
  readonly challenges: ChallengeStore;
  readonly hashes: PasskeyHasher;
  readonly webauthn: WebAuthnSettings;
}


/** What adding a passkey checks besides the account: how recent a sign-in must be. */
interface EnrolmentDeps {
  readonly clock: Clock;
  readonly users: Pick<UserStore, 'findById'>;
  readonly passkeys: Pick<PasskeyStore, 'listByUser'>;
  readonly reauth: RecentSignInPolicy;
}

/**
 * The checks before adding a passkey, in the contract's order: a verified email (403), a recent
 * sign-in, with a second factor when the account already has one (403), then room for one more (400).
 */
async function accountReadyForPasskey(deps: EnrolmentDeps, userId: string, signIn: SignIn) {
  const [account, existing] = await Promise.all([accountOf(deps.users, userId), deps.passkeys.listByUser(userId)]);
  if (!account.emailVerified) throw new EmailNotVerifiedError('Verify your email address before adding a passkey.');
  requireRecentSignIn(signIn, deps.clock.now(), deps.reauth, { kind: 'adds_factor', accountHasFactor: account.mfaEnabled || existing.length > 0 });
  if (existing.length >= MAX_PASSKEYS_PER_ACCOUNT) throw new InvalidRequestError(`An account can hold at most ${MAX_PASSKEYS_PER_ACCOUNT} passkeys.`);
  return { account, existing };
}

/** Creation options for a new passkey of the caller, excluding the ones it has. */
export async function startRegistration(deps: CeremonyDeps & EnrolmentDeps, userId: string, signIn: SignIn): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { account, existing } = await accountReadyForPasskey(deps, userId, signIn);
  const challenge = newChallenge();
  const options = await registrationOptions({
    rpId: deps.webauthn.rpId,
    rpName: deps.webauthn.rpName,
    userId,
    userName: account.email,
    exclude: existing.map(descriptorOf),
    challenge,
  });
  await storeChallenge(deps, challenge, challenge, 'registration', bindingOf(account));
  return options;
}

/**
 * Verifies a registration response against a challenge issued to this caller, and stores the
 * passkey with how it was enrolled; the account gets a factor notice.
 */
export async function finishRegistration(
  deps: CeremonyDeps & EnrolmentDeps & { passkeys: Pick<PasskeyStore, 'add'>; logger: Logger; notify: FactorNotifier },
  userId: string,
  signIn: SignIn,
  response: unknown,
  name: string | undefined,
  client: ClientInfo,
): Promise<PasskeyView> {
  const { clock, challenges, hashes, webauthn, passkeys, logger } = deps;
  const { account } = await accountReadyForPasskey(deps, userId, signIn);
  const now = clock.now();
  const verified = await refusedAsInvalidPasskey(logger, 'registration', async () => {
    const signedChallenge = clientChallengeOf(response);
    const stored = await takeChallenge(challenges, hashes.challengeKeys(signedChallenge), { purpose: 'registration', now, userId });
    if (!stored?.account || !hashes.challengeMatches(signedChallenge, stored.challengeHash)) throw new PasskeyRejectedError('challenge_mismatch', 'no such challenge for this account');
    return { binding: stored.account, ...(await verifyRegistration({ response, expectedChallenge: signedChallenge, origins: webauthn.origins, rpId: webauthn.rpId })) };
  });
  const passkey: PasskeyRecord = {
    credentialId: verified.credentialId,
    userId,
    publicKey: verified.publicKey,
    counter: verified.counter,
    transports: verified.transports,
    backedUp: verified.backedUp,
    deviceType: verified.deviceType,
    name: name ?? DEFAULT_PASSKEY_NAME,
    createdAt: now,
    lastUsedAt: undefined,
    enrolledAmr: [...signIn.amr],
  };
  const outcome = await passkeys.add(passkey, MAX_PASSKEYS_PER_ACCOUNT, verified.binding);
  if (outcome === 'account_missing') throw new NotFoundError('The account');
  if (outcome === 'credentials_changed') {
    logger.warn('passkey rejected', { ceremony: 'registration', code: 'credentials_changed', userId });
    throw new InvalidPasskeyError();
  }
  if (outcome === 'limit_reached') throw new InvalidRequestError(`An account can hold at most ${MAX_PASSKEYS_PER_ACCOUNT} passkeys.`);
  if (outcome === 'duplicate_credential') {
    logger.warn('passkey rejected', { ceremony: 'registration', code: 'duplicate_credential', userId });
    throw new InvalidPasskeyError();
  }
  logger.security('passkey_added', { userId, credentialId: passkey.credentialId, deviceType: passkey.deviceType, ip: client.ip, userAgent: client.userAgent });
  await deps.notify(account, { kind: 'passkey_added', credentialId: passkey.credentialId });
  return { id: passkey.credentialId, name: passkey.name, created_at: new Date(now).toISOString(), last_used_at: null };
}

/**
 * Request options and a `challenge_id` for a passkey login. With an email, allowCredentials lists
 * that account's passkeys, and the challenge is bound to the account; an email without any
 * (unknown, or an account with none) gets decoy credentials derived from the email by a keyed hash
 * (decoy-credentials.ts): stable across calls and shaped like real ones, so the answer does not
 * tell whether the account exists or has passkeys. Both paths make the same reads.
 */
export async function startLogin(
  deps: CeremonyDeps & { users: Pick<UserStore, 'findByEmail'>; passkeys: Pick<PasskeyStore, 'listByUser'> },
  email: string | undefined,
): Promise<{ challenge_id: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const { hashes, webauthn } = deps;
  let allow: CredentialDescriptor[] = [];
  let binding: CredentialsBinding | undefined;
  if (email !== undefined) {
    const account = await deps.users.findByEmail(email);
    const decoys = decoyCredentials(hashes, email);
    const passkeys = await deps.passkeys.listByUser(account?.id ?? `decoy-${decoys[0]!.id}`);
    allow = passkeys.length ? passkeys.map(descriptorOf) : decoys;
    binding = account && bindingOf(account);
  }
  const challenge = newChallenge();
  const challengeId = randomBytes(CHALLENGE_ID_BYTES).toString('base64url');
  const options = await authenticationOptions({ rpId: webauthn.rpId, allow, challenge });
  await storeChallenge(deps, challengeId, challenge, 'login', binding);
  return { challenge_id: challengeId, options };
}

interface AssertionDeps extends CeremonyDeps {
  readonly passkeys: Pick<PasskeyStore, 'find' | 'recordUse'>;
  readonly logger: Logger;
}

/**
 * Checks a passkey assertion against a login challenge: the challenge is taken (single use,
 * whatever happens next), the credential looked up by its id (one read), the assertion verified
 * (origin, RP id, UP and UV, signature, counter) and the use recorded. A counter that does not
 * advance is logged as `passkey_counter_regressed` (a possibly cloned authenticator). `owner`, when
 * given, is the only account whose passkey is accepted; a challenge bound to an account (options
 * asked with its email) accepts only that account's passkeys. `accept` has the last word before
 * the use is recorded (it throws to refuse, and then no counter moves); it gets the challenge's
 * binding to hold against the account. Every refusal is 401 invalid_passkey.
 */
async function verifyAssertion<T>(
  deps: AssertionDeps,
  challengeId: string,
  response: unknown,
  client: ClientInfo,
  { owner, accept }: { owner?: string; accept: (passkey: PasskeyRecord, binding: StoredChallenge['account']) => Promise<T> },
): Promise<{ passkey: PasskeyRecord; accepted: T }> {
  const { clock, challenges, hashes, webauthn, passkeys, logger } = deps;
  const now = clock.now();
  const credentialId = credentialIdOf(response);
  const [stored, passkey] = await Promise.all([
    takeChallenge(challenges, hashes.challengeKeys(challengeId), { purpose: 'login', now }),
    credentialId === undefined ? undefined : passkeys.find(credentialId),
  ]);
  const verified = await refusedAsInvalidPasskey(logger, 'login', async () => {
    const signedChallenge = clientChallengeOf(response);
    if (!stored || !hashes.challengeMatches(signedChallenge, stored.challengeHash)) throw new PasskeyRejectedError('challenge_mismatch', 'stale, used or unknown challenge');
    if (!passkey) throw new PasskeyRejectedError('unknown_credential');
    if (stored.account && stored.account.userId !== passkey.userId) throw new PasskeyRejectedError('challenge_mismatch', 'challenge issued for another account');
    // Checked before the signature, so another account's passkey is never touched (no counter moves).
    if (owner !== undefined && passkey.userId !== owner) throw new PasskeyRejectedError('unknown_credential', "not one of the caller's passkeys");
    try {
      return await verifyAuthentication({
        response,
        expectedChallenge: signedChallenge,
        origins: webauthn.origins,
        rpId: webauthn.rpId,
        passkey,
        expectedUserId: passkey.userId,
      });
    } catch (error) {
      if (error instanceof PasskeyRejectedError && error.code === 'counter_regressed') counterRegressed(logger, passkey, client);
      throw error;
    }
  });
  const accepted = await accept(passkey!, stored!.account);
  const recorded = await passkeys.recordUse(passkey!.credentialId, { counter: verified.newCounter, lastUsedAt: now, backedUp: verified.backedUp });
  if (recorded !== 'recorded') {
    if (recorded === 'counter_not_advanced') counterRegressed(logger, passkey!, client);
    throw new InvalidPasskeyError();
  }
  return { passkey: passkey!, accepted };
}

/** A challenge bound to the account under an older credentials version (a reset or change since) proves nothing. */
function requireBindingHolds(logger: Logger, binding: StoredChallenge['account'], account: Pick<AccountCredentials, 'id' | 'credentialsVersion'>, ceremony: 'login' | 'reauthentication'): void {
  if (binding === undefined || binding.credentialsVersion === account.credentialsVersion) return;
  logger.warn('passkey rejected', { ceremony, code: 'credentials_changed', userId: account.id });
  throw new InvalidPasskeyError();
}

/**
 * A passkey login: the assertion checked (verifyAssertion), then a session opened with `amr`
 * PASSKEY_AMR (without `mfa` while the passkey is on probation, factor-trust.ts) and bound to the
 * passkey, so removing it ends the session, and (for a challenge bound to the account) stored only
 * while the account has the credentials version the challenge was issued under. TOTP is not asked:
 * the passkey is already a second factor.
 */
export async function passkeyLogin(
  deps: AssertionDeps & {
    users: Pick<UserStore, 'findById'>;
    sessions: Pick<SessionIssuer, 'open'>;
    policy: { requireVerifiedEmail: boolean };
    reauth: RecentSignInPolicy;
  },
  challengeId: string,
  response: unknown,
  client: ClientInfo,
): Promise<IssuedTokens> {
  let account: AccountCredentials | undefined;
  const { passkey, accepted: binding } = await verifyAssertion(deps, challengeId, response, client, {
    accept: async (passkey, binding) => {
      account = await deps.users.findById(passkey.userId);
      // A passkey outliving its account (a registration racing the deletion) opens nothing.
      if (!account) {
        deps.logger.warn('passkey rejected', { ceremony: 'login', code: 'account_gone', userId: passkey.userId });
        throw new InvalidPasskeyError();
      }
      requireBindingHolds(deps.logger, binding, account, 'login');
      refuseDisabled(deps.logger, account, client);
      if (deps.policy.requireVerifiedEmail && !account.emailVerified) throw new EmailNotVerifiedError();
      return binding;
    },
  });
  const proof = passkeyProof(passkey.credentialId, countsAsMfa(enrolmentOf(passkey), deps.clock.now(), deps.reauth));
  try {
    // Bound: the session is stored only while the account still has the challenge's credentials version (no race with a reset).
    // The account read above decides the session's roles (no second read).
    return await deps.sessions.open(passkey.userId, [proof], client, binding, account);
  } catch (error) {
    if (!(error instanceof InvalidCredentialsError)) throw error;
    deps.logger.warn('passkey rejected', { ceremony: 'login', code: 'credentials_changed', userId: passkey.userId });
    throw new InvalidPasskeyError({ cause: error });
  }
}

/**
 * Re-authentication with a passkey of the caller's own account, asserted against a challenge from
 * login/options. The attempt counts against the login throttle first (429 past the limit); a
 * verified one takes its attempt back. What it proves: the passkey (and whether it counts as `mfa` yet).
 */
export async function provePasskey(
  deps: AssertionDeps & { users: UserStore; limits: AttemptLimits; reauth: RecentSignInPolicy },
  userId: string,
  proof: Extract<ReauthenticationProof, { kind: 'passkey' }>,
  client: ClientInfo,
): Promise<readonly SignInProof[]> {
  const account = await accountOf(deps.users, userId);
  await countAttempt(deps, account.email, userId, client);
  const { passkey } = await verifyAssertion(deps, proof.challengeId, proof.response, client, {
    owner: userId,
    accept: async (_passkey, binding) => requireBindingHolds(deps.logger, binding, account, 'reauthentication'),
  });
  await deps.users.uncountAttempt(account.email);
  return [passkeyProof(passkey.credentialId, countsAsMfa(enrolmentOf(passkey), deps.clock.now(), deps.reauth))];
}

const bindingOf = (account: Pick<AccountCredentials, 'id' | 'email' | 'credentialsVersion'>): CredentialsBinding => ({
  userId: account.id,
  email: account.email,
  credentialsVersion: account.credentialsVersion,
});

async function storeChallenge(deps: CeremonyDeps, challengeId: string, challenge: string, purpose: ChallengePurpose, account: CredentialsBinding | undefined): Promise<void> {
  const expiresAt = deps.clock.now() + CHALLENGE_TTL_MS;
  await deps.challenges.put(deps.hashes.challengeKey(challengeId), {
    purpose,
    challengeHash: deps.hashes.challengeHash(challenge),
    account,
    expiresAt,
  });
}

/** Runs a ceremony step; a PasskeyRejectedError becomes 401 invalid_passkey, its code logged. */
async function refusedAsInvalidPasskey<T>(logger: Logger, ceremony: 'registration' | 'login', step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof PasskeyRejectedError)) throw error;
    logger.warn('passkey rejected', { ceremony, code: error.code });
    throw new InvalidPasskeyError({ cause: error });
  }
}

function counterRegressed(logger: Logger, passkey: PasskeyRecord, client: ClientInfo): void {
  logger.security('passkey_counter_regressed', { userId: passkey.userId, credentialId: passkey.credentialId, storedCounter: passkey.counter, ip: client.ip, userAgent: client.userAgent });
}

function descriptorOf(passkey: PasskeyRecord): CredentialDescriptor {
  return { id: passkey.credentialId, transports: passkey.transports };
}
