import { loadServiceConfig } from '../core/service-config';
import { readString, type Env } from '../core/settings';

export interface MfaConfig {
  /** The name an authenticator app shows beside the code (MFA_ISSUER_NAME, else the service name). */
  readonly issuerName: string;
}

export function loadMfaConfig(env: Env): MfaConfig {
  return Object.freeze({ issuerName: readString(env, 'MFA_ISSUER_NAME', loadServiceConfig(env).service) });
}
