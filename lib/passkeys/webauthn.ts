import { createHash, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../core/crypto';
import { counterAdvances } from './passkey-store';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type CredentialDeviceType,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import {
  COSEALG,
  cose,
  convertAAGUIDToString,
  decodeAttestationObject,
  decodeCredentialPublicKey,
  isoBase64URL,
  parseAuthenticatorData,
  type ParsedAuthenticatorData,
} from '@simplewebauthn/server/helpers';
import { PasskeyRejectedError } from './passkey-rejected-error';
import {
  authenticationResponseSchema,
  credentialRefSchema,
  decodeClientData,
  knownTransports,
  parseOrReject,
  registrationResponseSchema,
  type ClientData,
  type PasskeyTransport,
} from './response-schema';

/**
 * WebAuthn ceremonies on @simplewebauthn/server, with nothing stored here: the caller keeps the
 * challenges (keyed hash, 5-minute TTL, single use) and the passkeys, and passes config in.
 *
 * Verification runs as named steps, each refusing with its own PasskeyRejection code: shape →
 * client data (type, challenge, origin) → authenticator data (RP id hash, UP, UV) → credential
 * (id, user handle, algorithm, counter) → the library's full verification (attestation or
 * signature). The library re-checks the earlier steps too; we check them first only because its
 * errors are free-text messages, and a stable code needs a check of our own. Anything the library
 * still throws after our steps is a rejection, never an unexpected exception.
 *
 * Choices:
 * - residentKey 'required': passkey login without an email relies on discoverable credentials, and
 *   the contract asks for a resident key; every platform passkey provider and FIDO2 key makes one.
 *   An old U2F-only key cannot be registered (it could not log in without an email anyway).
 * - userVerification 'preferred' in the options (as the issue says), but verification requires
 *   the UV flag by default: a passkey login counts as multi-factor (amr), which possession alone
 *   is not. Pass `requireUserVerification: false` to accept presence only.
 * - The challenge handed in is base64url of random bytes; the options carry those bytes, so
 *   `options.challenge` equals the string the caller stored.
 */

/** Algorithms offered, most preferred first: ES256 (nearly every authenticator), EdDSA, RS256 (Windows Hello). */
export const SUPPORTED_ALGORITHMS: readonly number[] = [COSEALG.ES256, COSEALG.EdDSA, COSEALG.RS256];

/** How long the browser lets the user take; equals the challenge TTL. */
export const CEREMONY_TIMEOUT_MS = 5 * 60 * 1000;

const CHALLENGE_BYTES = 32;
const MAX_USER_HANDLE_BYTES = 64;

export interface CredentialDescriptor {
  /** base64url credential id. */
  readonly id: string;
  readonly transports?: readonly string[];
}

/** What to store for a newly registered passkey (plus the caller's name and timestamps). */
export interface NewPasskey {
  /** base64url credential id: the lookup key at login. */
  readonly credentialId: string;
  /** base64url of the COSE public key. Not secret. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: PasskeyTransport[];
  /** Backup state (BS flag): the key is synced to other devices right now. */
  readonly backedUp: boolean;
  /** 'multiDevice' when backup-eligible (BE flag): a synced passkey. */
  readonly deviceType: CredentialDeviceType;
  /** Authenticator model id; all zeros for most synced passkeys with attestation 'none'. */
  readonly aaguid: string;
}

/** A stored passkey, as verification needs it. */
export interface StoredPasskey {
  readonly credentialId: string;
  readonly publicKey: string;
  readonly counter: number;
  readonly transports?: readonly string[];
}

export interface VerifiedAssertion {
  /** Store it as the passkey's counter. */
  readonly newCounter: number;
  readonly userVerified: boolean;
  readonly backedUp: boolean;
}

/** A fresh challenge: 32 random bytes, base64url. */
export function newChallenge(): string {
  return randomBytes(CHALLENGE_BYTES).toString('base64url');
}

/** The WebAuthn user handle of an account: the bytes of its id, base64url. */
export function userHandleOf(userId: string): string {
  return userHandleBytes(userId).toString('base64url');
}

/** Creation options for a new passkey of `userId`, excluding the credentials it already has. */
export async function registrationOptions(input: {
  rpId: string;
  rpName: string;
  userId: string;
  userName: string;
  exclude: readonly CredentialDescriptor[];
  challenge: string;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpID: input.rpId,
    rpName: input.rpName,
    userID: new Uint8Array(userHandleBytes(input.userId)),
    userName: input.userName,
    userDisplayName: input.userName,
    challenge: challengeBytes(input.challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: input.exclude.map(descriptor),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  });
}

/** Request options for a login; an empty `allow` asks for a discoverable credential. */
export async function authenticationOptions(input: {
  rpId: string;
  allow: readonly CredentialDescriptor[];
  challenge: string;
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: input.rpId,
    allowCredentials: input.allow.map(descriptor),
    challenge: challengeBytes(input.challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'preferred',
  });
}

/** The credential id an assertion names, if it is well-formed; look the passkey up with it. */
export function credentialIdOf(response: unknown): string | undefined {
  const parsed = credentialRefSchema.safeParse(response);
  return parsed.success ? parsed.data.id : undefined;
}

/** Verifies a registration response; returns what to store, or throws PasskeyRejectedError. */
export async function verifyRegistration(input: {
  response: unknown;
  expectedChallenge: string;
  origins: readonly string[];
  rpId: string;
  requireUserVerification?: boolean;
}): Promise<NewPasskey> {
  const requireUserVerification = input.requireUserVerification ?? true;
  const response = parseOrReject(registrationResponseSchema, input.response, 'registration response shape');
  checkClientData(decodeClientData(response.response.clientDataJSON), 'webauthn.create', input);

  const authData = attestedAuthenticatorData(response.response.attestationObject);
  checkAuthenticatorData(authData, input.rpId, requireUserVerification);
  if (!authData.credentialID || !authData.credentialPublicKey || !authData.aaguid) {
    throw new PasskeyRejectedError('malformed_response', 'no attested credential data');
  }
  if (isoBase64URL.fromBuffer(authData.credentialID) !== response.id) {
    throw new PasskeyRejectedError('malformed_response', 'id differs from the attested credential id');
  }
  checkAlgorithm(authData.credentialPublicKey);

  const verification = await libraryVerdict('attestation_invalid', () =>
    verifyRegistrationResponse({
      response: { ...response, clientExtensionResults: response.clientExtensionResults ?? {} },
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: [...input.origins],
      expectedRPID: input.rpId,
      requireUserVerification,
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    }),
  );
  if (!verification.verified) throw new PasskeyRejectedError('attestation_invalid');
  const info = verification.registrationInfo;
  return {
    credentialId: info.credential.id,
    publicKey: isoBase64URL.fromBuffer(info.credential.publicKey),
    counter: info.credential.counter,
    transports: knownTransports(response.response.transports),
    backedUp: info.credentialBackedUp,
    deviceType: info.credentialDeviceType,
    aaguid: convertAAGUIDToString(authData.aaguid),
  };
}

/**
 * Verifies an assertion against the stored passkey it names. `expectedUserId`, when given, must
 * match the assertion's userHandle if it carries one (it does for discoverable credentials).
 */
export async function verifyAuthentication(input: {
  response: unknown;
  expectedChallenge: string;
  origins: readonly string[];
  rpId: string;
  passkey: StoredPasskey;
  expectedUserId?: string;
  requireUserVerification?: boolean;
}): Promise<VerifiedAssertion> {
  const requireUserVerification = input.requireUserVerification ?? true;
  const response = parseOrReject(authenticationResponseSchema, input.response, 'authentication response shape');
  checkClientData(decodeClientData(response.response.clientDataJSON), 'webauthn.get', input);

  const authData = parsedAuthenticatorData(Buffer.from(response.response.authenticatorData, 'base64url'));
  checkAuthenticatorData(authData, input.rpId, requireUserVerification);
  if (response.id !== input.passkey.credentialId) throw new PasskeyRejectedError('unknown_credential');
  const userHandle = response.response.userHandle;
  if (userHandle && input.expectedUserId !== undefined && userHandle !== userHandleOf(input.expectedUserId)) {
    throw new PasskeyRejectedError('user_handle_mismatch');
  }
  if (!counterAdvances(input.passkey.counter, authData.counter)) {
    throw new PasskeyRejectedError('counter_regressed', `stored ${input.passkey.counter}, received ${authData.counter}`);
  }

  const verification = await libraryVerdict('bad_signature', () =>
    verifyAuthenticationResponse({
      response: {
        ...response,
        response: { ...response.response, userHandle: userHandle ?? undefined },
        clientExtensionResults: response.clientExtensionResults ?? {},
      },
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: [...input.origins],
      expectedRPID: input.rpId,
      credential: {
        id: input.passkey.credentialId,
        publicKey: isoBase64URL.toBuffer(input.passkey.publicKey),
        counter: input.passkey.counter,
        transports: input.passkey.transports ? [...input.passkey.transports] : undefined,
      },
      requireUserVerification,
    }),
  );
  if (!verification.verified) throw new PasskeyRejectedError('bad_signature');
  const info = verification.authenticationInfo;
  return { newCounter: info.newCounter, userVerified: info.userVerified, backedUp: info.credentialBackedUp };
}


function checkClientData(
  clientData: ClientData,
  expectedType: 'webauthn.create' | 'webauthn.get',
  expected: { expectedChallenge: string; origins: readonly string[] },
): void {
  if (clientData.type !== expectedType) throw new PasskeyRejectedError('ceremony_mismatch');
  if (!equalInConstantTime(clientData.challenge, expected.expectedChallenge)) {
    throw new PasskeyRejectedError('challenge_mismatch');
  }
  // We never run in an iframe, so a cross-origin ceremony is refused like a foreign origin.
  if (clientData.crossOrigin === true || clientData.topOrigin !== undefined) {
    throw new PasskeyRejectedError('origin_mismatch', 'cross-origin ceremony');
  }
  if (!expected.origins.includes(clientData.origin)) throw new PasskeyRejectedError('origin_mismatch');
}

function checkAuthenticatorData(authData: ParsedAuthenticatorData, rpId: string, requireUserVerification: boolean): void {
  const expectedHash = createHash('sha256').update(rpId, 'utf8').digest();
  const receivedHash = Buffer.from(authData.rpIdHash);
  if (!constantTimeEqual(receivedHash, expectedHash)) {
    throw new PasskeyRejectedError('rp_id_mismatch');
  }
  if (!authData.flags.up) throw new PasskeyRejectedError('user_not_present');
  if (requireUserVerification && !authData.flags.uv) throw new PasskeyRejectedError('user_not_verified');
}

function checkAlgorithm(credentialPublicKey: Uint8Array): void {
  let algorithm: number | undefined;
  try {
    algorithm = decodeCredentialPublicKey(new Uint8Array(credentialPublicKey)).get(cose.COSEKEYS.alg);
  } catch (error) {
    throw new PasskeyRejectedError('malformed_response', 'credential public key is not COSE', { cause: error });
  }
  if (algorithm === undefined || !SUPPORTED_ALGORITHMS.includes(algorithm)) {
    throw new PasskeyRejectedError('unsupported_algorithm');
  }
}

function attestedAuthenticatorData(attestationObject: string): ParsedAuthenticatorData {
  let authData: unknown;
  try {
    authData = decodeAttestationObject(isoBase64URL.toBuffer(attestationObject)).get('authData');
  } catch (error) {
    throw new PasskeyRejectedError('malformed_response', 'attestationObject is not CBOR', { cause: error });
  }
  if (!(authData instanceof Uint8Array)) throw new PasskeyRejectedError('malformed_response', 'no authData');
  return parsedAuthenticatorData(authData);
}

function parsedAuthenticatorData(bytes: Uint8Array): ParsedAuthenticatorData {
  try {
    return parseAuthenticatorData(new Uint8Array(bytes));
  } catch (error) {
    throw new PasskeyRejectedError('malformed_response', 'authenticatorData does not parse', { cause: error });
  }
}

/** Runs a library verification; whatever it throws after our own checks becomes `code`. */
async function libraryVerdict<T>(code: 'attestation_invalid' | 'bad_signature', verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch (error) {
    throw new PasskeyRejectedError(code, 'refused by @simplewebauthn/server', { cause: error });
  }
}

function descriptor(credential: CredentialDescriptor): { id: string; transports?: string[] } {
  return credential.transports ? { id: credential.id, transports: [...credential.transports] } : { id: credential.id };
}

function challengeBytes(challenge: string): Uint8Array<ArrayBuffer> {
  const bytes = Buffer.from(challenge, 'base64url');
  // A challenge that does not round-trip would make options.challenge differ from what was stored.
  if (bytes.length < 16 || bytes.toString('base64url') !== challenge) {
    throw new TypeError('challenge must be unpadded base64url of at least 16 bytes (use newChallenge())');
  }
  return new Uint8Array(bytes);
}

function userHandleBytes(userId: string): Buffer {
  const bytes = Buffer.from(userId, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_USER_HANDLE_BYTES) {
    throw new TypeError('userId must be 1 to 64 bytes of UTF-8 to serve as a WebAuthn user handle');
  }
  return bytes;
}

function equalInConstantTime(received: string, expected: string): boolean {
  return constantTimeEqual(Buffer.from(received, 'utf8'), Buffer.from(expected, 'utf8'));
}

export { counterAdvances } from './passkey-store';
