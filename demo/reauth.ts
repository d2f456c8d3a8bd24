/**
 * Sensitive changes (second factors, passkeys, password, account deletion) answer
 * `403 reauthentication_required` when the sign-in is older than the service allows, or when
 * adding a factor to an account that has one needs a proof with that factor. The page then asks,
 * right below the form that was refused, for the password (and a code when TOTP is on) or a
 * passkey, re-authenticates, and tries the change again.
 */
import { AuthError, type AuthClient } from '../client';
import { clear, tell, ui, useRecoveryCode } from './ui';
import { CancelledError, passkeyProblem, sentenceFor } from './words';

export interface AccountFacts {
  readonly email: string;
  readonly mfaEnabled: boolean;
  readonly hasPasskeys: boolean;
}

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const APP_CODE_LABEL = 'Code from your authenticator app';

function reasonFor(needsFactor: boolean, withCode: boolean, withPasskey: boolean): string {
  const proofs = [withCode ? 'your password and a code from your authenticator app' : 'your password', ...(withPasskey ? ['a passkey'] : [])];
  // The service asks again after an old sign-in, or for a factor when the account has one: one sentence fits both.
  if (!needsFactor) return `To make this change, confirm it is you with ${proofs.join(', or with ')}.`;
  if (withCode && withPasskey) return 'This change needs your second factor: your password and a code from your authenticator app, or a passkey.';
  if (withCode) return 'This change needs your second factor: your password and a code from your authenticator app.';
  if (withPasskey) return 'This change needs your second factor: confirm it is you with a passkey.';
  return 'The service still refuses this change. Log out, log in again, then try once more.';
}

export function createReauthPrompt(client: AuthClient, account: () => AccountFacts | undefined, page: { hostname: string; localUrl: string }) {
  let pending: Pending | undefined;
  const passkeysWork = typeof PublicKeyCredential !== 'undefined';

  function close(reason?: Error): void {
    ui.reauth.hidden = true;
    ui.reauth.reset();
    clear(ui.reauthFeedback);
    useRecoveryCode(ui.reauthCode, ui.reauthCodeLabel, false, APP_CODE_LABEL);
    const waiting = pending;
    pending = undefined;
    if (reason) waiting?.reject(reason);
    else waiting?.resolve();
  }

  /** Shows the form right after `anchor`; resolves once the person re-authenticated, rejects when they cancel. */
  function ask(anchor: Element, needsFactor: boolean): Promise<void> {
    pending?.reject(new CancelledError());
    pending = undefined;
    const facts = account();
    const withCode = facts?.mfaEnabled ?? false;
    const withPasskey = passkeysWork && (facts?.hasPasskeys ?? false);
    ui.reauthReason.textContent = reasonFor(needsFactor, withCode, withPasskey);
    ui.reauthCodeField.hidden = !withCode;
    ui.reauthRecoveryField.hidden = !withCode;
    ui.reauthCode.required = withCode;
    ui.reauthPassword.required = true;
    ui.reauthPasskey.hidden = !withPasskey;
    anchor.after(ui.reauth);
    ui.reauth.hidden = false;
    clear(ui.reauthFeedback);
    ui.reauthPassword.focus({ preventScroll: true });
    ui.reauth.scrollIntoView({ block: 'nearest' });
    return new Promise((resolve, reject) => {
      pending = { resolve, reject };
    });
  }

  async function prove(button: HTMLButtonElement, proof: () => Promise<unknown>): Promise<void> {
    button.disabled = true;
    clear(ui.reauthFeedback);
    try {
      await proof();
      close();
    } catch (error) {
      const sentence =
        passkeyProblem(error, 'use', page) ??
        (error instanceof AuthError && error.code === 'invalid_request' && account()?.mfaEnabled
          ? 'Enter the code from your authenticator app (or a recovery code) as well.'
          : sentenceFor(error, 'account'));
      tell(ui.reauthFeedback, sentence, 'error', error instanceof AuthError ? error.code : undefined);
    } finally {
      button.disabled = false;
    }
  }

  ui.reauth.addEventListener('submit', (event) => {
    event.preventDefault();
    const submitter = (event as SubmitEvent).submitter as HTMLButtonElement;
    const password = ui.reauthPassword.value;
    const code = ui.reauthCode.value.trim();
    void prove(submitter, () =>
      client.reauthenticate(code === '' ? { password } : ui.reauthUseRecovery.checked ? { password, recoveryCode: code } : { password, code }),
    );
  });
  ui.reauthPasskey.addEventListener('click', () => void prove(ui.reauthPasskey, () => client.reauthenticateWithPasskey(account()?.email)));
  ui.reauthUseRecovery.addEventListener('change', () => useRecoveryCode(ui.reauthCode, ui.reauthCodeLabel, ui.reauthUseRecovery.checked, APP_CODE_LABEL));
  ui.reauthCancel.addEventListener('click', () => close(new CancelledError()));

  return {
    /**
     * Runs a sensitive change. When it answers `reauthentication_required`, asks below `anchor`,
     * then runs it again; a second refusal after a re-authentication asks for the second factor.
     */
    async sensitive<T>(anchor: Element, change: () => Promise<T>): Promise<T> {
      let needsFactor = false;
      for (;;) {
        try {
          return await change();
        } catch (error) {
          if (!(error instanceof AuthError) || error.code !== 'reauthentication_required') throw error;
          await ask(anchor, needsFactor);
          needsFactor = true;
        }
      }
    },
    /** Closes the form (signed out): whatever waited for it is cancelled. */
    cancel: () => {
      if (!ui.reauth.hidden) close(new CancelledError());
    },
  };
}
