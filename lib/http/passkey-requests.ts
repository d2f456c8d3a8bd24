// zod/mini: the same validation as zod, tree-shakable, so a function's bundle carries only what it uses.
import * as z from 'zod/mini';
import { deliverySchema, emailSchema } from './validation';

/**
 * Bodies of the passkey endpoints. Only the envelope is checked here (a missing or ill-typed field
 * is 400 invalid_request); the WebAuthn response inside is checked by lib/passkeys, where any
 * problem is 401 invalid_passkey.
 */

const MAX_NAME_CODE_POINTS = 64;
const MAX_CHALLENGE_ID_LENGTH = 256;
const CONTROL_CHARACTERS = /\p{Cc}/u;

/** A WebAuthn response in its JSON form: an object; its members are lib/passkeys' to judge. */
const webAuthnResponseSchema = z.record(z.string(), z.unknown());

/** Trimmed, 1 to 64 characters, no control characters. */
const passkeyNameSchema = z.pipe(
  z.string(),
  z.transform((raw: string) => raw.trim()),
).check(
  z.refine((name) => name.length > 0 && [...name].length <= MAX_NAME_CODE_POINTS, `name must be 1 to ${MAX_NAME_CODE_POINTS} characters`),
  z.refine((name) => !CONTROL_CHARACTERS.test(name), 'name must not contain control characters'),
);

export const passkeyRegisterVerifySchema = z.object({ response: webAuthnResponseSchema, name: z.optional(passkeyNameSchema) });

/** `{}` or `{ "email": ... }`; no body at all counts as `{}`. */
export const passkeyLoginOptionsSchema = z._default(z.object({ email: z.optional(emailSchema) }), {});

export const passkeyLoginVerifySchema = z.object({
  challenge_id: z.string().check(z.minLength(1), z.maxLength(MAX_CHALLENGE_ID_LENGTH)),
  response: webAuthnResponseSchema,
  refresh_token_delivery: deliverySchema,
});

