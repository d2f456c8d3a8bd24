import { AuthError } from './errors';

/**
 * The rule the service applies to a passkey's name, checked before the browser's ceremony: a name
 * the service refuses after the ceremony leaves a credential on the authenticator that the
 * service never stored. Trimmed; 1 to 64 code points; no control character and no bidirectional
 * override or isolate (they make a name display as something else).
 */
export const MAX_PASSKEY_NAME_LENGTH = 64;

const CONTROL_CHARACTERS = /\p{Cc}/u;
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * The name to send: trimmed, or undefined for an empty one (the service then names the passkey).
 * Throws `invalid_request` (status 0: nothing was sent) for a name the service would refuse.
 */
export function checkPasskeyName(name: string | undefined): string | undefined {
  const trimmed = name?.trim() ?? '';
  if (trimmed === '') return undefined;
  const length = [...trimmed].length;
  if (length > MAX_PASSKEY_NAME_LENGTH) {
    throw new AuthError('invalid_request', `A passkey name can have at most ${MAX_PASSKEY_NAME_LENGTH} characters; this one has ${length}.`);
  }
  if (CONTROL_CHARACTERS.test(trimmed) || BIDI_CONTROLS.test(trimmed)) {
    throw new AuthError('invalid_request', 'A passkey name cannot contain control characters or text-direction marks.');
  }
  return trimmed;
}
