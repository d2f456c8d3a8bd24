import { mfaCrypto, mfaStore } from '../lib/compose/mfa';
import { clock, cookiePathFor, httpHandler, parts } from '../lib/compose/runtime';
import { attemptLimits, reauthPolicy, sessionIssuer } from '../lib/compose/sessions';
import { userStore } from '../lib/compose/storage';
import { readJsonBody } from '../lib/http/http';
import { mfaVerifySchema } from '../lib/http/mfa-validation';
import { tokenResponse } from '../lib/http/token-response';
import { validate } from '../lib/http/validation';
import { verifyMfaLogin } from '../lib/mfa/mfa-service';

const ready = parts({ users: userStore, limits: attemptLimits, mfa: mfaStore, crypto: mfaCrypto, sessions: sessionIssuer, reauth: reauthPolicy });

export const handler = httpHandler(ready, async (request, deps, { logger }) => {
  const body = validate(mfaVerifySchema, readJsonBody(request));
  const proof = body.code !== undefined ? { code: body.code } : { recoveryCode: body.recovery_code ?? '' };
  const { tokens, delivery } = await verifyMfaLogin({ ...deps, clock, logger }, body.mfa_token, proof, request);
  return tokenResponse(tokens, delivery, cookiePathFor(request));
});
