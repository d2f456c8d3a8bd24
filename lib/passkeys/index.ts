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
