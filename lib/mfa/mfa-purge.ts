import type { MfaStore } from './mfa-store';

/** Deletes what MFA keeps about a user beside the account item (for DELETE /me's purgers). */
export async function purgeMfaData(deps: { readonly mfa: MfaStore }, userId: string): Promise<void> {
  await deps.mfa.purge(userId);
}

/**
 * For a password reset that is the account's first proof of its mailbox: whoever enrolled TOTP
 * before that never proved they own the email (someone may have registered it first), so TOTP,
 * its secret and its recovery codes go, and the pending secret with them.
 */
export async function forgetUnprovenTotp(deps: { readonly mfa: MfaStore }, userId: string, email: string): Promise<void> {
  await Promise.all([deps.mfa.forgetTotp(userId, email), deps.mfa.purge(userId)]);
}
