import { ConfigError } from '../core/errors';
import { loadServiceConfig } from '../core/service-config';
import { localPort, readOrigins, readRequired, readString, type Env } from '../core/settings';

export interface WebAuthnConfig {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
}

/** Passkey settings: WEBAUTHN_RP_ID is required on AWS; origins default to the CORS allow-list. */
export function loadWebAuthnConfig(env: Env): WebAuthnConfig {
  const { local, service, corsAllowedOrigins } = loadServiceConfig(env);
  const rpId = local ? readString(env, 'WEBAUTHN_RP_ID', 'localhost') : readRequired(env, 'WEBAUTHN_RP_ID');
  if (!/^[a-z0-9.-]+$/i.test(rpId)) throw new ConfigError('WEBAUTHN_RP_ID', `must be a domain such as example.com, got "${rpId}"`);
  const configured = readOrigins(env, 'WEBAUTHN_ORIGINS');
  const origins = configured.length ? configured : local ? [`http://localhost:${localPort(env)}`] : corsAllowedOrigins;
  if (origins.length === 0) throw new ConfigError('WEBAUTHN_ORIGINS', 'is required (or CORS_ALLOWED_ORIGINS) for passkeys');
  return Object.freeze({ rpId, rpName: readString(env, 'WEBAUTHN_RP_NAME', service), origins });
}
