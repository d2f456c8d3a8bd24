/** Email parts: the SES mailer (EMAIL_FROM, SES_ENDPOINT), what the messages need, and the outbox of emails to retry. */
import type { EmailSettings } from '../../accounts/token-emails';
import { createDynamoDbEmailOutbox } from '../../aws/dynamodb-email-outbox';
import { createSesMailer } from '../../aws/ses-mailer';
import { loadEmailConfig, loadEmailOutboxTable, loadServiceConfig } from '../../core/config';
import type { Mailer } from '../../email/mailer';
import type { EmailOutbox } from '../../email/outbox';
import { part, withNeeds, type Part, type TableAction } from '../part';
import { documentClient } from './storage';

export const emailConfig = /* @__PURE__ */ part({ name: 'emailConfig', build: (_, { env }) => loadEmailConfig(env) });

export const emailSettings = /* @__PURE__ */ part({
  name: 'emailSettings',
  uses: { config: emailConfig },
  build: ({ config }, { env }): EmailSettings => ({
    appBaseUrl: config.appBaseUrl,
    serviceName: loadServiceConfig(env).service,
    verificationTtlSeconds: config.verificationTtlSeconds,
    passwordResetTtlSeconds: config.passwordResetTtlSeconds,
  }),
});

/** Sends through SES as the EMAIL_FROM identity. */
export const mailer = /* @__PURE__ */ part({
  name: 'mailer',
  needs: { sendsEmail: true },
  uses: { config: emailConfig },
  build: ({ config: { from, sesEndpoint } }): Mailer => createSesMailer({ from, ...(sesEndpoint ? { endpoint: sesEndpoint } : {}) }),
});

export const emailOutboxStore = /* @__PURE__ */ part({
  name: 'emailOutbox',
  uses: { client: documentClient },
  build: ({ client }, { env }): EmailOutbox => createDynamoDbEmailOutbox(client, loadEmailOutboxTable(env)),
});

/** The outbox, for these actions on its table. */
export const emailOutbox = (...actions: TableAction[]): Part<EmailOutbox> => withNeeds(emailOutboxStore, { tables: { emailOutbox: actions } });

/** An email that could not be sent is kept in the outbox (one PutItem), by the functions that send it. */
export const failedEmailKeeper = /* @__PURE__ */ emailOutbox('PutItem');
