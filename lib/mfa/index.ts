/** The second factor's building blocks: TOTP, encrypted TOTP secrets, recovery codes, QR codes. */
export { TOTP_DIGITS, TOTP_PERIOD_SECONDS, OtpauthLabelError, codeAt, codeForStep, isWellFormedCode, matchStep, newTotpSecret, otpauthUri, stepAt } from './totp';
export { SealedSecretError, createSecretBox, type SealedSecretFailure, type SecretBox } from './secret-box';
export { UnnormalisedRecoveryCodeError, createRecoveryCodeHasher, newRecoveryCodes, normaliseRecoveryCode, type RecoveryCodeHasher } from './recovery-codes';
export { qrSvg } from './qr';
