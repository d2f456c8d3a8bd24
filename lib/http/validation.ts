// zod/mini: the same validation as zod, tree-shakable, so a function's bundle carries only what it uses.
import * as z from 'zod/mini';
import { InvalidRequestError } from '../core/errors';

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
/** Control, format and separator characters, and any white space: none belongs in an email. */
const FORBIDDEN_IN_EMAIL = /[\p{Cc}\p{Cf}\p{Z}\s]/u;
/**
 * RFC 5322 specials: with them, `x<victim@example.com>` or `a,b@example.com` would be an account of
 * its own whose mail a provider may deliver to someone else's mailbox. A plain address needs none.
 */
const SPECIALS_IN_EMAIL = /[<>()[\]\\,;:"]/;
const MIN_PASSWORD_CODE_POINTS = 8;
const MAX_PASSWORD_CODE_POINTS = 256;

const codePoints = (value: string) => [...value].length;

/** Trimmed, NFKC, lower-cased; at most 254 characters with one "@" and text on both sides. */
export const emailSchema = z
  .pipe(
    z.string(),
    z.transform((raw: string) => raw.trim().normalize('NFKC').toLowerCase()),
  )
  .check(
    z.refine((email) => codePoints(email) <= MAX_EMAIL_LENGTH, `email must be at most ${MAX_EMAIL_LENGTH} characters`),
    z.refine((email) => /^[^@]+@[^@]+$/u.test(email), 'email must have one "@" with text on both sides'),
    z.refine((email) => !FORBIDDEN_IN_EMAIL.test(email), 'email must not contain control characters or white space'),
    z.refine((email) => !SPECIALS_IN_EMAIL.test(email), 'email must be a plain address, without <>()[],;:" or backslashes'),
    z.refine((email) => codePoints(email.slice(0, Math.max(0, email.indexOf('@')))) <= MAX_LOCAL_PART_LENGTH, `email must have at most ${MAX_LOCAL_PART_LENGTH} characters before the "@"`),
  );

/** 8 to 256 code points after NFKC (what the hash sees), any characters, never trimmed (NIST SP 800-63B). */
export const passwordSchema = z.string().check(
  z.refine((password) => codePoints(password.normalize('NFKC')) >= MIN_PASSWORD_CODE_POINTS, `password must be at least ${MIN_PASSWORD_CODE_POINTS} characters`),
  z.refine((password) => codePoints(password.normalize('NFKC')) <= MAX_PASSWORD_CODE_POINTS, `password must be at most ${MAX_PASSWORD_CODE_POINTS} characters`),
);

export const deliverySchema = z._default(z.enum(['body', 'cookie']), 'body');

export const credentialsSchema = z.object({ email: emailSchema, password: passwordSchema });

export const loginSchema = z.object({ email: emailSchema, password: passwordSchema, refresh_token_delivery: deliverySchema });

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
