/**
 * A second factor added to or removed from an account: what a factor notice reports, and what its
 * "this wasn't me" link undoes. The features that change factors (lib/mfa, lib/passkeys) tell a
 * FactorNotifier; lib/reauth/factor-notices.ts sends the email and redeems the link. Times are epoch ms.
 */
export type FactorChange =
  /** Undone by turning TOTP off, if it is still this enrolment. */
  | { readonly kind: 'totp_enabled'; readonly enrolledAt: number }
  | { readonly kind: 'totp_disabled' }
  /** Undone by dropping the codes, if they are still the ones issued then: whoever saw them can no longer use them. */
  | { readonly kind: 'recovery_codes_replaced'; readonly issuedAt: number }
  /** Undone by removing the passkey (which ends the sessions it opened). */
  | { readonly kind: 'passkey_added'; readonly credentialId: string }
  | { readonly kind: 'passkey_removed'; readonly credentialId: string };

export type FactorChangeKind = FactorChange['kind'];

/** Sends the notice of a change; never throws (the change is done, and a lost email is logged). */
export type FactorNotifier = (account: { readonly id: string; readonly email: string }, change: FactorChange) => Promise<void>;
