export { PasskeyRejectedError, type PasskeyRejection } from './passkey-rejected-error';
export { KNOWN_TRANSPORTS, type PasskeyTransport } from './response-schema';
export {
  CEREMONY_TIMEOUT_MS,
  SUPPORTED_ALGORITHMS,
  authenticationOptions,
  counterAdvances,
  credentialIdOf,
  newChallenge,
  registrationOptions,
  userHandleOf,
  verifyAuthentication,
  verifyRegistration,
  type CredentialDescriptor,
  type NewPasskey,
  type StoredPasskey,
  type VerifiedAssertion,
} from './webauthn';
export { createPasskeyHasher, type PasskeyHasher } from './passkey-hashes';
export { createChallengeStore } from './challenges';
export { createMemoryChallengeStore, createMemoryPasskeyStore } from './memory-passkey-store';
export { CHALLENGE_TTL_MS, PASSKEY_AMR, finishRegistration, passkeyLogin, provePasskey, startLogin, startRegistration, type WebAuthnSettings } from './passkey-service';
export { MAX_PASSKEYS_PER_ACCOUNT, listPasskeys, purgePasskeys, removePasskey, type PasskeyView } from './passkey-management';
export type {
  AddPasskeyResult,
  ChallengePurpose,
  ChallengeStore,
  PasskeyDeviceType,
  PasskeyRecord,
  PasskeyStore,
  PasskeyUse,
  RecordUseResult,
  StoredChallenge,
} from './passkey-store';
