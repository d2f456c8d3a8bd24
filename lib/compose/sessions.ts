/** Session and login parts. */
import { createPasswordHasher } from '../accounts/password';
import { loadAttemptLimits, loadLoginPolicy, loadReauthPolicy, loadSessionPolicy } from '../core/config';
import { createSessionIssuer } from '../sessions/session-service';
import { clock, env, lazy, logger, metrics } from './runtime';
import { sessionStore } from './storage';
import { accessTokenSigner, refreshTokenCodec } from './tokens';

export const passwordHasher = /* @__PURE__ */ lazy(() => createPasswordHasher());
export const attemptLimits = /* @__PURE__ */ lazy(() => loadAttemptLimits(env));
export const loginPolicy = /* @__PURE__ */ lazy(() => loadLoginPolicy(env));
export const sessionPolicy = /* @__PURE__ */ lazy(() => loadSessionPolicy(env));
/** REAUTH_MAX_AGE_SECONDS: for sensitive changes, and for how a sign-in with a new factor counts. */
export const reauthPolicy = /* @__PURE__ */ lazy(() => loadReauthPolicy(env));

export const sessionIssuer = /* @__PURE__ */ lazy(async () =>
  createSessionIssuer({
    policy: await sessionPolicy(),
    clock,
    sessions: await sessionStore(),
    accessTokens: await accessTokenSigner(),
    refreshTokens: await refreshTokenCodec(),
    logger: logger(),
    count: (name) => metrics().count(name),
  }),
);

