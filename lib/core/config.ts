/**
 * Configuration is read from the environment once, at cold start, and frozen. This is the one
 * file that reads `process.env` (test/unit/env-access.test.ts checks it); each feature keeps its
 * own settings in the config.ts beside it, with the readers of ./settings.ts, and they are
 * re-exported here so a function imports its loaders from one place. Each loader is separate so
 * the authorizer bundle pulls in only what it needs.
 */
import type { Env } from './settings';

export type { Env } from './settings';
export { loadServiceConfig, COOKIE_PATH_PATTERN, type ServiceConfig } from './service-config';
export { loadHashKeys, type HashKeyConfig } from './keyring-config';
export {
  loadTokenConfig,
  loadIdTokenKeys,
  readAlgorithm,
  ID_TOKEN_ALGORITHM,
  SUPPORTED_ALGORITHMS,
  type IdTokenKeyConfig,
  type Jwk,
  type JwtAlgorithm,
  type TokenConfig,
} from '../tokens/config';
export { loadAuthorizerConfig, type AuthorizerConfig } from '../authorizer/config';
export { loadStorageConfig, type StorageConfig } from '../aws/config';
export { loadSessionPolicy, type SessionPolicyConfig } from '../sessions/config';
export { loadAttemptLimits, loadLoginPolicy, type AttemptLimitsConfig } from '../accounts/config';
export { loadReauthPolicy, type ReauthPolicy } from '../reauth/config';
export { loadEmailConfig, loadEmailOutboxTable, type EmailConfig } from '../email/config';
export { loadMfaConfig, type MfaConfig } from '../mfa/config';
export { loadWebAuthnConfig, type WebAuthnConfig } from '../passkeys/config';
export { loadAuditConfig, type AuditConfig } from '../audit/config';
export { loadAdminPolicy, type AdminPolicy } from '../admin/config';
export { loadClientsTable } from '../oauth/config';

/** The one place that reads the process environment. */
export const readEnvironment = (): Env => process.env;
