/**
 * Why a passkey ceremony was refused. A closed union so callers switch on it; every code maps to
 * `401 invalid_passkey` at the HTTP edge, and `counter_regressed` is also logged as a possible
 * cloned authenticator.
 */
export type PasskeyRejection =
  /** Not the JSON shape of a WebAuthn response, a field out of bounds, or undecodable bytes. */
  | 'malformed_response'
  /** clientDataJSON.type is not the one of this ceremony (a login response sent to register, or back). */
  | 'ceremony_mismatch'
  | 'challenge_mismatch'
  /** The account's password was reset or changed since the challenge was issued to it. */
  | 'credentials_changed'
  /** The origin is not allowed, or the ceremony ran in a cross-origin iframe. */
  | 'origin_mismatch'
  | 'rp_id_mismatch'
  | 'user_not_present'
  | 'user_not_verified'
  /** The assertion names a credential other than the one it is checked against, or none we know. */
  | 'unknown_credential'
  /** The assertion's userHandle names another account than the credential's. */
  | 'user_handle_mismatch'
  | 'counter_regressed'
  | 'bad_signature'
  | 'unsupported_algorithm'
  | 'attestation_invalid';

/** A WebAuthn response that does not verify; `code` says which check refused it. */
export class PasskeyRejectedError extends Error {
  override readonly name = 'PasskeyRejectedError';

  constructor(
    readonly code: PasskeyRejection,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `Passkey rejected: ${code} (${detail}).` : `Passkey rejected: ${code}.`, options);
  }
}
