import type { SecondFactorStarter } from '../accounts/login';
import type { Clock } from '../core/clock';
import type { MfaCrypto } from './mfa-crypto';
import type { MfaStore } from './mfa-store';

/** How long an MFA token lives (the contract's `expires_in`). Kept apart from mfa-service so the login bundle holds no QR or TOTP code. */
export const MFA_TOKEN_TTL_SECONDS = 300;

/** The password step's hand-over for TOTP accounts: an MFA token that remembers the login. */
export function createSecondFactorStarter(deps: { readonly clock: Clock; readonly mfa: MfaStore; readonly crypto: MfaCrypto }): SecondFactorStarter {
  return async ({ userId, email, credentialsVersion, amr, delivery }) => {
    const token = deps.crypto.tokens.mint();
    const expiresAt = deps.clock.now() + MFA_TOKEN_TTL_SECONDS * 1000;
    await deps.mfa.putMfaToken(token.hash, { userId, email, delivery, amr: [...amr], failures: 0, expiresAt, credentialsVersion });
    return { mfaToken: token.value, expiresIn: MFA_TOKEN_TTL_SECONDS };
  };
}
