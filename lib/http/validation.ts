// zod/mini: the same validation as zod, tree-shakable, so a function's bundle carries only what it uses.
import * as z from 'zod/mini';
import { canonicalEmail, type EmailPolicy } from '../core/email-address';
import { InvalidRequestError } from '../core/errors';

const MIN_PASSWORD_CODE_POINTS = 8;
const MAX_PASSWORD_CODE_POINTS = 256;

const codePoints = (value: string) => [...value].length;

/** An email in its canonical form (lib/core/email-address.ts), or 400 with the rule it broke. */
export const emailSchema = (policy: EmailPolicy) =>
  z.pipe(
    z.string(),
    z.transform((raw: string, payload) => {
      const canonical = canonicalEmail(raw, policy);
      if (canonical.ok) return canonical.email;
      payload.issues.push({ code: 'custom', message: canonical.problem, input: raw });
      return z.NEVER;
    }),
  );

/** 8 to 256 code points after NFKC (what the hash sees), any characters, never trimmed (NIST SP 800-63B). */
export const passwordSchema = z.string().check(
  z.refine((password) => codePoints(password.normalize('NFKC')) >= MIN_PASSWORD_CODE_POINTS, `password must be at least ${MIN_PASSWORD_CODE_POINTS} characters`),
  z.refine((password) => codePoints(password.normalize('NFKC')) <= MAX_PASSWORD_CODE_POINTS, `password must be at most ${MAX_PASSWORD_CODE_POINTS} characters`),
);

/** Control characters, and the Unicode bidi controls that would make a name read as something else on screen (Trojan Source). */
const CONTROL_CHARACTERS = /\p{Cc}/u;
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;

/**
 * A display string the service stores and shows back (a passkey's name; later a client's name):
 * trimmed, 1 to `maxCodePoints` code points, no control character and no bidi control.
 */
export const displayStringSchema = (field: string, maxCodePoints: number) =>
  z
    .pipe(
      z.string(),
      z.transform((raw: string) => raw.trim()),
    )
    .check(
      z.refine((text) => text.length > 0 && codePoints(text) <= maxCodePoints, `${field} must be 1 to ${maxCodePoints} characters`),
      z.refine((text) => !CONTROL_CHARACTERS.test(text), `${field} must not contain control characters`),
      z.refine((text) => !BIDI_CONTROLS.test(text), `${field} must not contain bidirectional control characters`),
    );

export const deliverySchema = z._default(z.enum(['body', 'cookie']), 'body');

export const credentialsSchema = (policy: EmailPolicy) => z.object({ email: emailSchema(policy), password: passwordSchema });

export const loginSchema = (policy: EmailPolicy) => z.object({ email: emailSchema(policy), password: passwordSchema, refresh_token_delivery: deliverySchema });

/** Any string is looked at (and refused with 401 unless it is a live token); only a non-string is malformed. */
export const refreshTokenBodySchema = z.object({ refresh_token: z.optional(z.string()) });

/** `?cursor=` of the session list. */
export const sessionListQuerySchema = z.object({ cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))) });

/** Validates a parsed body; the message names the first problem, never echoes a value. */
export function validate<T extends z.ZodMiniType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  const message = issue?.code === 'custom' ? issue.message : `${field} is missing or invalid`;
  throw new InvalidRequestError(`Invalid request: ${message}.`);
}
