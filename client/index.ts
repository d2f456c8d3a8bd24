/**
 * A client for the auth service: `createAuthClient({ baseUrl, delivery })`, then `login`,
 * `fetch` (token attached, refreshed when needed), `logout`... No dependency beyond `fetch`;
 * passkey ceremonies take the browser's functions as an adapter (`webauthn` option).
 */
export { AuthClient, createAuthClient, LoggedOutEvent, ReauthenticatedEvent, TokensEvent, type AuthClientEventMap, type AuthClientOptions, type Transport } from './auth-client';
export { AdminApi } from './admin';
export { AuthError, type AuthErrorCode, type ClientErrorCode, type ServiceErrorCode } from './errors';
export { checkPasskeyName, MAX_PASSKEY_NAME_LENGTH } from './passkey-name';
export { memoryStorage, type AuthStorage, type StoredSession } from './storage';
export type {
  AccessTokenInfo,
  Account,
  AdminUser,
  AdminUserDetail,
  AdminUserPage,
  Credentials,
  Delivery,
  LoggedOutReason,
  Me,
  MfaAnswer,
  MfaChallenge,
  MfaPrompt,
  Passkey,
  PasswordProof,
  RegisteredPasskey,
  SecurityEvent,
  SecurityEventDetails,
  SecurityEventPage,
  SecurityEventType,
  Session,
  SessionPage,
  TokenInfo,
  TotpEnrolment,
} from './types';
export type { PasskeyCreationOptionsJSON, PasskeyCredentialJSON, PasskeyLoginOptions, PasskeyRequestOptionsJSON, WebAuthnAdapter } from './webauthn';
