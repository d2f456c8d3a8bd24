// Request bodies of the account features (email verification, password reset and change, account deletion); zod/mini like lib/http/validation.ts.
import * as z from 'zod/mini';
import type { EmailPolicy } from '../core/email-address';
import { emailSchema, passwordSchema } from './validation';

/** Any string is looked at (a malformed one is 400 invalid_one_time_token); only a non-string is malformed. */
export const oneTimeTokenBodySchema = z.object({ token: z.string() });

export const resetPasswordSchema = z.object({ token: z.string(), password: passwordSchema });

export const forgotPasswordSchema = (policy: EmailPolicy) => z.object({ email: emailSchema(policy) });

/** The current password is only compared, so any string; the new one meets the register policy. */
export const changePasswordSchema = z.object({ current_password: z.string(), new_password: passwordSchema });

export const deleteAccountSchema = z.object({ password: z.string() });
