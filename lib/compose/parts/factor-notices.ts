/** Factor-notice parts: the notice store, the notifier (hash key, SES), and what a report undoes. */
import { createDynamoDbFactorNoticeStore } from '../../aws/dynamodb-factor-notice-store';
import type { FactorNotifier } from '../../reauth/factor-change';
import type { FactorNoticeStore } from '../../reauth/factor-notice-store';
import { createFactorNotifier, type FactorRemovers } from '../../reauth/factor-notices';
import { logger } from '../observability';
import { part } from '../part';
import { oneTimeTokenCodec } from './accounts';
import { emailSettings, mailer } from './email';
import { mfaStore } from './mfa';
import { passkeyStore } from './passkeys';
import { documentClient, storageConfig } from './storage';

export const factorNoticeStore = /* @__PURE__ */ part({
  name: 'factorNoticeStore',
  uses: { client: documentClient, config: storageConfig },
  build: ({ client, config }): FactorNoticeStore => createDynamoDbFactorNoticeStore(client, config.usersTable),
});

/**
 * Sends factor notices: the functions that add or remove a factor (hash key, SES). Storing a notice
 * reads the user's notices (GetItem: the cap), then one transaction puts the token's ticket
 * (PutItem), adds the notice's entry (UpdateItem) and deletes the tickets of the entries it drops (DeleteItem).
 */
export const factorNotifier = /* @__PURE__ */ part({
  name: 'factorNotifier',
  needs: { tables: { users: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] } },
  uses: { notices: factorNoticeStore, oneTimeTokens: oneTimeTokenCodec, mailer, email: emailSettings, logger },
  build: (deps, { clock }): FactorNotifier => createFactorNotifier({ ...deps, clock }),
});

/** What "this wasn't me" undoes, each only if that factor is still the reported one. */
export const factorRemovers = /* @__PURE__ */ part({
  name: 'factorRemovers',
  uses: { mfa: mfaStore, passkeys: passkeyStore },
  build: ({ mfa, passkeys }): FactorRemovers => ({
    totp: (account, enrolledAt) => mfa.removeEnrolment({ userId: account.id, email: account.email, enrolledAt }),
    recoveryCodes: (account, issuedAt) => mfa.dropRecoveryCodes({ userId: account.id, email: account.email, issuedAt }),
    passkey: (account, credentialId) => passkeys.remove(account.id, credentialId),
  }),
});
