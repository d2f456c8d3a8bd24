import { loadServiceConfig } from '../core/service-config';
import { localPort, readInteger, readOptionalUrl, readRequired, readString, readUrl, type Env } from '../core/settings';

export interface EmailConfig {
  readonly from: string;
  readonly appBaseUrl: string;
  /** The local SES emulator; unset on AWS. */
  readonly sesEndpoint: string | undefined;
  readonly verificationTtlSeconds: number;
  readonly passwordResetTtlSeconds: number;
}

/** Email settings: EMAIL_FROM and APP_BASE_URL have local defaults only. */
export function loadEmailConfig(env: Env): EmailConfig {
  const { local } = loadServiceConfig(env);
  return Object.freeze({
    from: local ? readString(env, 'EMAIL_FROM', 'no-reply@example.com') : readRequired(env, 'EMAIL_FROM'),
    appBaseUrl: readUrl(env, 'APP_BASE_URL', local ? `http://localhost:${localPort(env)}/dev/demo` : undefined, { httpsOnly: !local }),
    sesEndpoint: readOptionalUrl(env, 'SES_ENDPOINT'),
    verificationTtlSeconds: readInteger(env, 'EMAIL_VERIFICATION_TTL_SECONDS', 60, 2_592_000),
    passwordResetTtlSeconds: readInteger(env, 'PASSWORD_RESET_TTL_SECONDS', 60, 86_400),
  });
}

/** The table of emails kept for a retry (lib/email/outbox.ts); only the functions that send email read it. */
export const loadEmailOutboxTable = (env: Env): string => readRequired(env, 'EMAIL_OUTBOX_TABLE');
