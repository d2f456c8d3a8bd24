// zod/mini, like lib/http/validation.ts. A code's format is not checked here: an ill-formed code
// is a wrong code (401 invalid_mfa_code, counted), only a missing or non-string one is a 400.
import * as z from 'zod/mini';
import { passwordSchema } from './validation';

export const totpConfirmSchema = z.object({ code: z.string() });

/** `{ password, code }` or `{ password, recovery_code }`: exactly one of the two. */
export const totpDisableSchema = z
  .object({ password: passwordSchema, code: z.optional(z.string()), recovery_code: z.optional(z.string()) })
  .check(z.refine((body) => (body.code === undefined) !== (body.recovery_code === undefined), 'send exactly one of code and recovery_code'));

export const recoveryCodesSchema = z.object({ password: passwordSchema });

/** `{ mfa_token, code }` or `{ mfa_token, recovery_code }`: exactly one of the two. */
export const mfaVerifySchema = z
  .object({ mfa_token: z.string(), code: z.optional(z.string()), recovery_code: z.optional(z.string()) })
  .check(z.refine((body) => (body.code === undefined) !== (body.recovery_code === undefined), 'send exactly one of code and recovery_code'));
