import { z } from 'zod';
import { InvalidRequestError } from '../core/errors';

const MAX_EMAIL_LENGTH = 254;
const MIN_PASSWORD_CODE_POINTS = 8;
const MAX_PASSWORD_CODE_POINTS = 256;

const codePoints = (value: string) => [...value].length;

/** Trimmed, NFKC, lower-cased; at most 254 characters with one "@" and text on both sides. */
export const emailSchema = z
  .string()
  .transform((raw) => raw.trim().normalize('NFKC').toLowerCase())
  .refine((email) => codePoints(email) <= MAX_EMAIL_LENGTH, `email must be at most ${MAX_EMAIL_LENGTH} characters`)
  .refine((email) => /^[^@]+@[^@]+$/u.test(email), 'email must have one "@" with text on both sides');

/** 8 to 256 code points, any characters, never trimmed (NIST SP 800-63B). */
export const passwordSchema = z
  .string()
  .refine((password) => codePoints(password) >= MIN_PASSWORD_CODE_POINTS, `password must be at least ${MIN_PASSWORD_CODE_POINTS} characters`)
  .refine((password) => codePoints(password) <= MAX_PASSWORD_CODE_POINTS, `password must be at most ${MAX_PASSWORD_CODE_POINTS} characters`);

export const credentialsSchema = z.object({ email: emailSchema, password: passwordSchema });

export const loginSchema = credentialsSchema.extend({
  refresh_token_delivery: z.enum(['body', 'cookie']).default('body'),
});

export const refreshTokenBodySchema = z.object({ refresh_token: z.string().min(1).max(1024).optional() });

/** Validates a parsed body; the message names the first problem, never echoes a value. */
export function validate<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'body';
  const message = issue?.code === 'custom' ? issue.message : `${field} is missing or invalid`;
  throw new InvalidRequestError(`Invalid request: ${message}.`);
}
