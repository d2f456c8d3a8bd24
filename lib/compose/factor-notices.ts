/** Factor-notice parts: the notice store, the notifier (hash key, SES), and what a report undoes. */
import { createDynamoDbFactorNoticeStore } from '../aws/dynamodb-factor-notice-store';
import type { FactorNotifier } from '../reauth/factor-change';
import type { FactorNoticeStore } from '../reauth/factor-notice-store';
import { createFactorNotifier, type FactorRemovers } from '../reauth/factor-notices';
import { oneTimeTokenCodec } from './accounts';
import { emailSettings, mailer } from './email';
import { mfaStore } from './mfa';
import { passkeyStore } from './passkeys';
import { clock, lazy, logger } from './runtime';
import { documentClient, storageConfig } from './storage';

export const factorNoticeStore = /* @__PURE__ */ lazy((): FactorNoticeStore => createDynamoDbFactorNoticeStore(documentClient(), storageConfig().usersTable));

/** Sends factor notices: the functions that add or remove a factor (hash key, SES). */
export const factorNotifier = /* @__PURE__ */ lazy(
  async (): Promise<FactorNotifier> =>
    createFactorNotifier({ clock, notices: await factorNoticeStore(), oneTimeTokens: await oneTimeTokenCodec(), mailer: await mailer(), email: await emailSettings(), logger: logger() }),
);

/** What "this wasn't me" undoes, each only if that factor is still the reported one. */
export const factorRemovers = /* @__PURE__ */ lazy(async (): Promise<FactorRemovers> => {
  const [mfa, passkeys] = await Promise.all([mfaStore(), passkeyStore()]);
  return {
    totp: (account, enrolledAt) => mfa.removeEnrolment({ userId: account.id, email: account.email, enrolledAt }),
    recoveryCodes: (account, issuedAt) => mfa.dropRecoveryCodes({ userId: account.id, email: account.email, issuedAt }),
    passkey: (account, credentialId) => passkeys.remove(account.id, credentialId),
  };
});
