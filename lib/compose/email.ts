/** Email parts: the SES mailer (EMAIL_FROM, SES_ENDPOINT), what the messages need, and the outbox of emails to retry. */
import type { EmailSettings } from '../accounts/token-emails';
import { createDynamoDbEmailOutbox } from '../aws/dynamodb-email-outbox';
import { createSesMailer } from '../aws/ses-mailer';
import { loadEmailConfig, loadEmailOutboxTable, loadServiceConfig } from '../core/config';
import type { Mailer } from '../email/mailer';
import type { EmailOutbox } from '../email/outbox';
import { env, lazy, lazySync } from './runtime';
import { documentClient } from './storage';

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

export const emailOutbox = /* @__PURE__ */ lazy((): EmailOutbox => createDynamoDbEmailOutbox(documentClient(), loadEmailOutboxTable(env)));
