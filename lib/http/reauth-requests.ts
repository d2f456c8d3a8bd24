// zod/mini like lib/http/validation.ts: the bodies of POST /auth/reauthenticate and /auth/factors/report.
import * as z from 'zod/mini';
import type { ReauthenticationProof } from '../reauth/reauthenticate';
import { InvalidRequestError } from '../core/errors';
import { validate } from './validation';

const MAX_CHALLENGE_ID_LENGTH = 256;

/** The password is only compared (any string, as at login's current-password checks); codes are judged by lib/mfa. */
const passwordProofSchema = z
  .object({ password: z.string(), code: z.optional(z.string()), recovery_code: z.optional(z.string()) })
  .check(z.refine((body) => body.code === undefined || body.recovery_code === undefined, 'send at most one of code and recovery_code'));

const passkeyProofSchema = z.object({
  challenge_id: z.string().check(z.minLength(1), z.maxLength(MAX_CHALLENGE_ID_LENGTH)),
  response: z.record(z.string(), z.unknown()),
});

/**
 * `{ password, code?, recovery_code? }` or `{ challenge_id, response }` (a passkey assertion):
 * a body with members of both forms is 400, as is one of neither.
 */
export function readReauthenticationProof(body: unknown): ReauthenticationProof {
  const members = typeof body === 'object' && body !== null ? body : {};
  const isPasskey = 'challenge_id' in members || 'response' in members;
  if (isPasskey && 'password' in members) throw new InvalidRequestError('Invalid request: send either a password or a passkey assertion, not both.');
  if (isPasskey) {
    const { challenge_id: challengeId, response } = validate(passkeyProofSchema, body);
    return { kind: 'passkey', challengeId, response };
  }
  const { password, code, recovery_code: recoveryCode } = validate(passwordProofSchema, body);
  return { kind: 'password', password, code, recoveryCode };
}
