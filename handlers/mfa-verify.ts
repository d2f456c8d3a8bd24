import { clock, cookiePathFor, httpHandler } from '../lib/compose/runtime';
import { readJsonBody } from '../lib/http/http';
import { mfaVerifySchema } from '../lib/http/mfa-validation';
import { tokenResponse } from '../lib/http/token-response';
import { validate } from '../lib/http/validation';
import { verifyMfaLogin } from '../lib/mfa/mfa-service';
import declaration from './mfa-verify.function';

export const handler = httpHandler(declaration, async (request, deps, { logger }) => {
  const body = validate(mfaVerifySchema, readJsonBody(request));
  const proof = body.code !== undefined ? { code: body.code } : { recoveryCode: body.recovery_code ?? '' };
  const { tokens, delivery } = await verifyMfaLogin({ ...deps, clock, logger }, body.mfa_token, proof, request);
  return tokenResponse(tokens, delivery, cookiePathFor(request));
});
