import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mfaTokenOf, mfaTokenTicket, type MfaStore, type SecondFactorUse } from '../mfa/mfa-store';
import { conditionFailedAt, conditionalWrite, translateStorageError } from './dynamodb';
import { createDynamoDbTicketStore, takeTicketItem } from './dynamodb-ticket-store';
import { credentialsVersionIs, credentialsVersionOf, emailKey, pendingTotpKey, ttlOf } from './users-table';

/**
 * MFA in the users table (see lib/mfa/mfa-store.ts for why the confirmed state sits on the
 * account item): on `EMAIL#<email>` the attributes `totpEnabled`, `totpSecret` (sealed),
 * `totpLastStep` and `recoveryCodes` (a string set of keyed hashes); `TOTP_PENDING#<userId>`
 * for an unconfirmed secret; the second step of a login is a ticket (dynamodb-ticket-store.ts). Every
 * update of the account item is conditional on `userId`, so a late request never touches an
 * account that was deleted and registered again under the same email.
 */

const CONFLICT_ATTEMPTS = 3;
const CONFLICT_BACKOFF_MS = 25;

/** What TOTP leaves on the account item besides `totpEnabled` and `totpLastStep`: gone when it is turned off. */
const TOTP_ATTRIBUTES = 'totpSecret, recoveryCodes, totpEnrolledAt, totpEnrolledAmr, recoveryCodesIssuedAt';

/**
 * The condition and update that spend a second factor on the account item (TOTP on, this step
 * later than the last, or this recovery code unused); `also` adds a condition on the same item.
 */
function spendOf(userId: string, use: SecondFactorUse, also?: { readonly expression: string; readonly values: Record<string, unknown> }) {
  const extra = also ? ` AND ${also.expression}` : '';
  return use.kind === 'totp'
    ? {
        ConditionExpression: `userId = :userId AND totpEnabled = :on AND totpLastStep < :step${extra}`,
        UpdateExpression: 'SET totpLastStep = :step',
        ExpressionAttributeValues: { ':userId': userId, ':on': true, ':step': use.step, ...also?.values } as Record<string, unknown>,
      }
    : {
        ConditionExpression: `userId = :userId AND totpEnabled = :on AND contains(recoveryCodes, :code)${extra}`,
        UpdateExpression: 'DELETE recoveryCodes :codes',
        ExpressionAttributeValues: { ':userId': userId, ':on': true, ':code': use.codeHash, ':codes': new Set([use.codeHash]), ...also?.values } as Record<string, unknown>,
      };
}

export function createDynamoDbMfaStore(client: DynamoDBDocumentClient, tableName: string): MfaStore {
  const tickets = createDynamoDbTicketStore(client, tableName);

  return {
    async totpState(email, userId) {
      try {
        const { Item } = await client.send(
          new GetCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConsistentRead: true,
            ProjectionExpression: 'userId, totpEnabled, totpSecret, totpLastStep, recoveryCodes, totpEnrolledAt, totpEnrolledAmr, credentialsVersion, #roles, rolesVersion',
            ExpressionAttributeNames: { '#roles': 'roles' },
          }),
        );
        if (!Item || Item.userId !== userId) return undefined;
        const codes = Item.recoveryCodes instanceof Set ? [...(Item.recoveryCodes as Set<string>)] : [];
        return {
          enabled: Item.totpEnabled === true,
          sealedSecret: typeof Item.totpSecret === 'string' ? Item.totpSecret : undefined,
          lastUsedStep: typeof Item.totpLastStep === 'number' ? Item.totpLastStep : -1,
          recoveryCodeHashes: codes,
          credentialsVersion: credentialsVersionOf(Item),
          enrolment: typeof Item.totpEnrolledAt === 'number' ? { at: Item.totpEnrolledAt, amr: Array.isArray(Item.totpEnrolledAmr) ? Item.totpEnrolledAmr.map(String) : [] } : undefined,
          ...(Array.isArray(Item.roles) ? { roles: Item.roles.map(String) } : {}),
          ...(typeof Item.rolesVersion === 'number' ? { rolesVersion: Item.rolesVersion } : {}),
        };
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async savePending(userId, sealedSecret, expiresAt) {
      try {
        await client.send(new PutCommand({ TableName: tableName, Item: { ...pendingTotpKey(userId), userId, sealedSecret, expiresAt, ttl: ttlOf(expiresAt) } }));
      } catch (error) {
        translateStorageError(error);
      }
    },

    async pending(userId) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: pendingTotpKey(userId), ConsistentRead: true }));
        return Item ? { sealedSecret: String(Item.sealedSecret), expiresAt: Number(Item.expiresAt) } : undefined;
      } catch (error) {
        return translateStorageError(error);
      }
    },

    async enable({ userId, email, sealedSecret, step, recoveryCodeHashes, enrolment }) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              // Only the latest setup confirms: a newer one has replaced the sealed secret.
              { Delete: { TableName: tableName, Key: pendingTotpKey(userId), ConditionExpression: 'sealedSecret = :sealed', ExpressionAttributeValues: { ':sealed': sealedSecret } } },
              {
                Update: {
                  TableName: tableName,
                  Key: emailKey(email),
                  ConditionExpression: 'userId = :userId AND (attribute_not_exists(totpEnabled) OR totpEnabled = :off)',
                  UpdateExpression:
                    'SET totpEnabled = :on, totpSecret = :sealed, totpLastStep = :step, recoveryCodes = :codes, totpEnrolledAt = :at, totpEnrolledAmr = :amr, recoveryCodesIssuedAt = :at',
                  ExpressionAttributeValues: {
                    ':userId': userId,
                    ':off': false,
                    ':on': true,
                    ':sealed': sealedSecret,
                    ':step': step,
                    ':codes': new Set(recoveryCodeHashes),
                    ':at': enrolment.at,
                    ':amr': [...enrolment.amr],
                  },
                },
              },
            ],
          }),
        );
        return 'enabled';
      } catch (error) {
        if (error instanceof TransactionCanceledException && conditionFailedAt(error, 0)) return 'stale_secret';
        if (error instanceof TransactionCanceledException && conditionFailedAt(error, 1)) return 'already_enabled';
        return translateStorageError(error);
      }
    },

    async disable({ userId, email, use }) {
      const spend = spendOf(userId, use);
      // A spent step is kept as the last one: a code spent on disabling cannot be replayed after a new enrolment within the window.
      const update = use.kind === 'totp' ? `SET totpEnabled = :off, totpLastStep = :step REMOVE ${TOTP_ATTRIBUTES}` : `SET totpEnabled = :off REMOVE ${TOTP_ATTRIBUTES}`;
      const values: Record<string, unknown> = { ...spend.ExpressionAttributeValues, ':off': false };
      // The recovery code's spend deletes it from the set; here the whole set goes.
      delete values[':codes'];
      return conditionalWrite(() =>
        client.send(new UpdateCommand({ TableName: tableName, Key: emailKey(email), ConditionExpression: spend.ConditionExpression, UpdateExpression: update, ExpressionAttributeValues: values })),
      );
    },

    async spend({ userId, email, use }) {
      return conditionalWrite(() => client.send(new UpdateCommand({ TableName: tableName, Key: emailKey(email), ...spendOf(userId, use) })));
    },

    async replaceRecoveryCodes({ userId, email, recoveryCodeHashes, issuedAt }) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConditionExpression: 'userId = :userId AND totpEnabled = :on',
            UpdateExpression: 'SET recoveryCodes = :codes, recoveryCodesIssuedAt = :at',
            ExpressionAttributeValues: { ':userId': userId, ':on': true, ':codes': new Set(recoveryCodeHashes), ':at': issuedAt },
          }),
        ),
      );
    },

    async removeEnrolment({ userId, email, enrolledAt }) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConditionExpression: 'userId = :userId AND totpEnabled = :on AND totpEnrolledAt = :at',
            UpdateExpression: `SET totpEnabled = :off REMOVE ${TOTP_ATTRIBUTES}`,
            ExpressionAttributeValues: { ':userId': userId, ':on': true, ':off': false, ':at': enrolledAt },
          }),
        ),
      );
    },

    async dropRecoveryCodes({ userId, email, issuedAt }) {
      return conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConditionExpression: 'userId = :userId AND recoveryCodesIssuedAt = :at',
            UpdateExpression: 'REMOVE recoveryCodes, recoveryCodesIssuedAt',
            ExpressionAttributeValues: { ':userId': userId, ':at': issuedAt },
          }),
        ),
      );
    },

    async putMfaToken(tokenHash, record) {
      await tickets.issue('mfa_login', tokenHash, mfaTokenTicket(record));
    },

    async mfaToken(tokenHash, now, maxFailures) {
      const ticket = await tickets.peek('mfa_login', tokenHash, { now, maxFailures });
      return ticket && mfaTokenOf(ticket);
    },

    async countMfaTokenFailure(tokenHash, maxFailures) {
      await tickets.countFailure('mfa_login', tokenHash, maxFailures);
    },

    async completeLogin({ tokenHash, now, maxFailures, userId, email, credentialsVersion, use }) {
      // The token's credentials version is checked on the account item this transaction already
      // updates; when the update's condition fails, the item it returns says whether it was the version.
      const spend = spendOf(userId, use, credentialsVersionIs(credentialsVersion));
      const transaction = {
        TransactItems: [
          takeTicketItem(tableName, 'mfa_login', tokenHash, { now, maxFailures }),
          { Update: { TableName: tableName, Key: emailKey(email), ...spend, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } },
        ],
      };
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(new TransactWriteCommand(transaction));
          return 'completed';
        } catch (error) {
          if (error instanceof TransactionCanceledException && conditionFailedAt(error, 0)) return 'token_invalid';
          if (error instanceof TransactionCanceledException && conditionFailedAt(error, 1)) {
            const account = error.CancellationReasons?.[1]?.Item;
            const current = account ? unmarshall(account) : undefined;
            return current?.userId === userId && credentialsVersionOf(current) !== credentialsVersion ? 'token_invalid' : 'code_rejected';
          }
          // A concurrent transaction on the same items cancels this one without spending anything:
          // try again, and the conditions then say whether the other one spent the token or code.
          const conflict = error instanceof TransactionCanceledException && error.CancellationReasons?.some((reason) => reason.Code === 'TransactionConflict');
          if (!conflict || attempt >= CONFLICT_ATTEMPTS) return translateStorageError(error);
          await new Promise((resolve) => setTimeout(resolve, CONFLICT_BACKOFF_MS * attempt));
        }
      }
    },

    async forgetTotp(userId, email) {
      await conditionalWrite(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: emailKey(email),
            ConditionExpression: 'userId = :userId',
            UpdateExpression: `SET totpEnabled = :off REMOVE ${TOTP_ATTRIBUTES}`,
            ExpressionAttributeValues: { ':userId': userId, ':off': false },
          }),
        ),
      );
    },

    async purge(userId) {
      try {
        await client.send(new DeleteCommand({ TableName: tableName, Key: pendingTotpKey(userId) }));
      } catch (error) {
        translateStorageError(error);
      }
    },
  };
}
