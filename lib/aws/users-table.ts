import type { TicketKind } from '../tickets/ticket-store';
import type { OneTimePurpose } from '../tokens/one-time-token';

/**
 * The users table's key space, in one place (as Powertools' persistence layer owns its table's
 * key schema): every item has one partition key `pk` (infra/tables.js) whose prefix says what the
 * item is, and `ttl` (epoch seconds) for DynamoDB's expiry. No other file spells a key prefix.
 *
 * | key                                   | item                                                      | adapter                         |
 * |---------------------------------------|-----------------------------------------------------------|---------------------------------|
 * | `EMAIL#<email>`                       | the account: credentials, flags, `credentialsVersion`, `roles` and `rolesVersion`, TOTP | dynamodb-user-store, -mfa-store |
 * | `USER#<userId>`                       | the way from a user id to the email                       | dynamodb-user-store             |
 * | `LOGIN_FAILURES#<email>`              | the login attempt counter, with a TTL                     | dynamodb-user-store             |
 * | `ONE_TIME#<purpose>#<userId>`         | the email throttle and the pointer to the newest one-time token's ticket; `report_factor` holds the factor notices | dynamodb-account-change-store, -factor-notice-store |
 * | `TOTP_PENDING#<userId>`               | an unconfirmed TOTP secret, with a TTL                    | dynamodb-mfa-store              |
 * | `PASSKEY#<credentialId>`              | one passkey                                               | dynamodb-passkey-store          |
 * | `PASSKEYS#<userId>`                   | the account's credential ids and a `version`              | dynamodb-passkey-store          |
 * | `MFA_TOKEN#<keyed hash>`              | ticket: a login's second step                             | dynamodb-ticket-store           |
 * | `WEBAUTHN_CHALLENGE#<keyed hash>`     | ticket: a passkey ceremony's challenge                    | dynamodb-ticket-store           |
 * | `ONE_TIME_TOKEN#<keyed hash>`         | ticket: an email link's one-time token (verify, reset, report a factor) | dynamodb-account-change-store, -factor-notice-store |
 *
 * Below the keys: the credentials-version rule every binding check uses, as conditions.
 */
export const PARTITION_KEY = 'pk';
export const TTL_ATTRIBUTE = 'ttl';

export type UsersTableKey = { readonly pk: string };

const keyOf = (...parts: string[]): UsersTableKey => ({ pk: parts.join('#') });

export const emailKey = (email: string) => keyOf('EMAIL', email);
/** What every account item's key begins with (an operator's scan over the accounts). */
export const EMAIL_KEY_PREFIX = 'EMAIL#';
export const userKey = (userId: string) => keyOf('USER', userId);
export const attemptsKey = (email: string) => keyOf('LOGIN_FAILURES', email);
export const oneTimeKey = (purpose: OneTimePurpose, userId: string) => keyOf('ONE_TIME', purpose, userId);
/** The factor notices of a user share the one-time key scheme, so DELETE /me's purge of one-time tokens removes them. */
export const factorNoticesKey = (userId: string) => oneTimeKey('report_factor', userId);
export const pendingTotpKey = (userId: string) => keyOf('TOTP_PENDING', userId);
export const passkeyKey = (credentialId: string) => keyOf('PASSKEY', credentialId);
export const passkeyListKey = (userId: string) => keyOf('PASSKEYS', userId);

/** The prefix of each kind of single-use ticket (lib/tickets): the item's key is the prefix and the ticket's keyed hash. */
export const TICKET_PREFIXES: Readonly<Record<TicketKind, string>> = {
  mfa_login: 'MFA_TOKEN',
  webauthn_challenge: 'WEBAUTHN_CHALLENGE',
  one_time_token: 'ONE_TIME_TOKEN',
};
export const ticketKey = (kind: TicketKind, keyHash: string) => keyOf(TICKET_PREFIXES[kind], keyHash);

/** Epoch seconds for the `ttl` attribute from an expiry in epoch ms (rounded up: never early). */
export const ttlOf = (expiresAtMs: number): number => Math.ceil(expiresAtMs / 1000);

/**
 * The condition "the account item still has this credentials version" (lib/accounts' bindingHolds,
 * with the account's id checked beside it); an item without the attribute is at version 0.
 */
export function credentialsVersionIs(version: number): { readonly expression: string; readonly values: Record<string, number> } {
  return version === 0
    ? { expression: '(attribute_not_exists(credentialsVersion) OR credentialsVersion = :credentialsVersion)', values: { ':credentialsVersion': 0 } }
    : { expression: 'credentialsVersion = :credentialsVersion', values: { ':credentialsVersion': version } };
}

/**
 * The account item's flag of a disabled account: present (true) only while disabled, so the
 * condition that a login may still open a session is `attribute_not_exists(disabled)`.
 */
export const DISABLED_ATTRIBUTE = 'disabled';
export const NOT_DISABLED = `attribute_not_exists(${DISABLED_ATTRIBUTE})`;

/** The update clause that moves the account to its next credentials version, ending everything bound to the current one. */
export const NEXT_CREDENTIALS_VERSION = { clause: 'ADD credentialsVersion :oneVersion', values: { ':oneVersion': 1 } } as const;

/** The credentials version in an item (from a read or a failed condition), 0 when absent. */
export const credentialsVersionOf = (item: Record<string, unknown> | undefined): number => (typeof item?.credentialsVersion === 'number' ? item.credentialsVersion : 0);

/**
 * The condition "the account item still has this roles version" (the roles a new session's claims
 * were decided from); an item without the attribute is at version 0.
 */
export function rolesVersionIs(version: number): { readonly expression: string; readonly values: Record<string, number> } {
  return version === 0
    ? { expression: '(attribute_not_exists(rolesVersion) OR rolesVersion = :rolesVersion)', values: { ':rolesVersion': 0 } }
    : { expression: 'rolesVersion = :rolesVersion', values: { ':rolesVersion': version } };
}
