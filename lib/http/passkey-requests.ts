// zod/mini: the same validation as zod, tree-shakable, so a function's bundle carries only what it uses.
import * as z from 'zod/mini';
import type { EmailPolicy } from '../core/email-address';
import { deliverySchema, displayStringSchema, emailSchema } from './validation';

/**
 * Bodies of the passkey endpoints. Only the envelope is checked here (a missing or ill-typed field
 * is 400 invalid_request); the WebAuthn response inside is checked by lib/passkeys, where any
 * problem is 401 invalid_passkey.
 */

const MAX_NAME_CODE_POINTS = 64;
const MAX_CHALLENGE_ID_LENGTH = 256;

/** A WebAuthn response in its JSON form: an object; its members are lib/passkeys' to judge. */
const webAuthnResponseSchema = z.record(z.string(), z.unknown());

const passkeyNameSchema = displayStringSchema('name', MAX_NAME_CODE_POINTS);

export const passkeyRegisterVerifySchema = z.object({ response: webAuthnResponseSchema, name: z.optional(passkeyNameSchema) });

/** `{}` or `{ "email": ... }`; no body at all counts as `{}`. */
export const passkeyLoginOptionsSchema = (policy: EmailPolicy) => z._default(z.object({ email: z.optional(emailSchema(policy)) }), {});

export const passkeyLoginVerifySchema = z.object({
  challenge_id: z.string().check(z.minLength(1), z.maxLength(MAX_CHALLENGE_ID_LENGTH)),
  response: webAuthnResponseSchema,
  refresh_token_delivery: deliverySchema,
});

