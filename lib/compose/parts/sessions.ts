/** Session and login parts: the password hasher, the login and session policies, the session issuer. */
import { createPasswordHasher } from '../../accounts/password';
import { loadAttemptLimits, loadLoginPolicy, loadReauthPolicy, loadSessionPolicy } from '../../core/config';
import { createSessionIssuer, endAllSessions } from '../../sessions/session-service';
import { createRolesDecider } from '../../authz/roles-decider';
import type { SignInAccount } from '../../sessions/sign-in';
import { featureHooks } from '../lifecycle';
import { logger, metrics } from '../observability';
import { part, withNeeds } from '../part';
import { roleMap } from './roles';
import { sessionEnder, sessionStore, userStore } from './storage';
import { accessTokenSigner, refreshTokenCodec } from './tokens';

/** argon2id through a native binding: the function's zip carries its Lambda build (infra/native-modules.js). */
export const passwordHasher = /* @__PURE__ */ part({ name: 'passwordHasher', needs: { native: ['@node-rs/argon2'] }, build: () => createPasswordHasher() });
export const attemptLimits = /* @__PURE__ */ part({ name: 'attemptLimits', build: (_, { env }) => loadAttemptLimits(env) });
export const loginPolicy = /* @__PURE__ */ part({ name: 'loginPolicy', build: (_, { env }) => loadLoginPolicy(env) });
export const sessionPolicy = /* @__PURE__ */ part({ name: 'sessionPolicy', build: (_, { env }) => loadSessionPolicy(env) });
/** REAUTH_MAX_AGE_SECONDS: for sensitive changes, and for how a sign-in with a new factor counts. */
export const reauthPolicy = /* @__PURE__ */ part({ name: 'reauthPolicy', build: (_, { env }) => loadReauthPolicy(env) });

/**
 * What the account adds to the claims of a sign-in (lib/sessions/sign-in.ts) beyond `amr` and
 * `auth_time`: its roles and their permissions as `scope` (config/roles.json). Tests provide their own.
 */
export const claimsDecider = /* @__PURE__ */ part({ name: 'claimsDecider', uses: { roles: roleMap }, build: ({ roles }) => createRolesDecider(roles) });

/** Refreshes and re-authenticates sessions: one conditional UpdateItem on the session each. */
export const sessionIssuer = /* @__PURE__ */ part({
  name: 'sessionIssuer',
  needs: { tables: { sessions: ['UpdateItem'] } },
  uses: { policy: sessionPolicy, sessions: sessionStore, accessTokens: accessTokenSigner, refreshTokens: refreshTokenCodec, decideClaims: claimsDecider, users: userStore, logger, metrics },
  build: ({ metrics: recorder, users, ...deps }, { clock }) =>
    createSessionIssuer({
      ...deps,
      clock,
      count: (name) => recorder.count(name),
      readAccount: async (userId): Promise<SignInAccount | undefined> => users.findById(userId),
    }),
});

/**
 * The session issuer of a sign-in: PutItem opens the session; the rest keep the account under its
 * session limit. GetItem: a sign-in whose flow did not read the account reads it for its roles;
 * ConditionCheckItem: a session with roles is stored only while the account's roles version holds.
 */
export const sessionOpener = /* @__PURE__ */ withNeeds(sessionIssuer, {
  tables: { sessions: ['PutItem', 'BatchGetItem', 'UpdateItem'], sessionsByUser: ['Query'], users: ['GetItem', 'ConditionCheckItem'] },
});

/** Ending every session of an account, counted where a flow counts its revocations. */
export const sessionEnding = /* @__PURE__ */ part({ name: 'sessionEnding', uses: { sessions: sessionEnder, metrics }, build: (deps) => deps });

/**
 * The sessions feature on account events: every session ends, each flow with its own reason (the
 * caller's own session stays on a password change and when TOTP is turned on).
 */
export const sessionHooks = /* @__PURE__ */ featureHooks({
  feature: 'sessions',
  phase: 'sessions',
  uses: sessionEnding,
  on: {
    deleted: ({ sessions }, clock) => (userId, { deadline }) => endAllSessions({ sessions, clock }, userId, 'account_deleted', { deadline }),
    passwordReset: ({ sessions }, clock) => (userId, { deadline }) => endAllSessions({ sessions, clock }, userId, 'password_reset', { deadline }),
    passwordChanged: ({ sessions }, clock) => (userId, { deadline, except }) => endAllSessions({ sessions, clock }, userId, 'password_changed', { except, deadline }),
    // Sessions opened before TOTP was on would keep password-only access.
    secondFactorEnabled: ({ sessions }, clock) => (userId, { deadline, except }) => endAllSessions({ sessions, clock }, userId, 'second_factor_enabled', { except, deadline }),
    factorReported: ({ sessions, metrics: recorder }, clock) => (userId, { deadline }) =>
      endAllSessions({ sessions, clock, count: (name) => recorder.count(name) }, userId, 'factor_reported', { deadline }),
    disabled: ({ sessions, metrics: recorder }, clock) => (userId, { deadline }) =>
      endAllSessions({ sessions, clock, count: (name) => recorder.count(name) }, userId, 'account_disabled', { deadline }),
  },
});
