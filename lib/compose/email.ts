/** Email parts: the SES mailer (EMAIL_FROM, SES_ENDPOINT) and what the messages need. */
import type { EmailSettings } from '../accounts/token-emails';
import { createSesMailer } from '../aws/ses-mailer';
import { loadEmailConfig, loadServiceConfig } from '../core/config';
import type { Mailer } from '../email/mailer';
import { env, lazy, lazySync } from './runtime';

export const emailConfig = /* @__PURE__ */ lazySync(() => loadEmailConfig(env));

export const emailSettings = /* @__PURE__ */ lazy((): EmailSettings => {
  const config = emailConfig();
  return {
    appBaseUrl: config.appBaseUrl,
    serviceName: loadServiceConfig(env).service,
    verificationTtlSeconds: config.verificationTtlSeconds,
    passwordResetTtlSeconds: config.passwordResetTtlSeconds,
  };
});

export const mailer = /* @__PURE__ */ lazy((): Mailer => {
  const { from, sesEndpoint } = emailConfig();
  return createSesMailer({ from, ...(sesEndpoint ? { endpoint: sesEndpoint } : {}) });
});
