/**
 * What an access token says about its session, as ONE schema.
 *
 * These claims are decided once, at sign-in or re-authentication (lib/sessions/sign-in.ts), stored
 * on the session as its `claims` map (in the form below), carried unchanged by every refresh,
 * written into each access token by the one signer (access-token-issuer.ts), read back by the
 * verifier, handed on by the authorizer as request context and read from there by lib/http as the
 * caller's Principal. Every one of those steps goes through this table, so a new claim (roles,
 * client_id, idp) is one entry here and one decision in sign-in.ts.
 *
 * Each entry says: the claim's name in tokens and in the stored map; its value when absent (a
 * token or session from before the claim existed); how a present value is checked (a wrong type
 * or shape is `invalid_claim`); how it is written (undefined leaves it out); and its form in the
 * authorizer's context, where API Gateway takes only strings, numbers and booleans, never nesting.
 *
 * The authorizer bundles this file: it imports nothing but the rejection error.
 */
import { AccessTokenRejectedError } from './access-token-rejection';

interface ClaimCodec<Value, Name extends string, Context extends string | number> {
  readonly name: Name;
  readonly absent: Value;
  /** A present value (never undefined), checked: throws AccessTokenRejectedError('invalid_claim'). */
  read(value: unknown): Value;
  /** The JSON value in a token or the stored map; undefined leaves the claim out. */
  write(value: Value): unknown;
  toContext(value: Value): Context;
  /** The value the authorizer put in the context; anything else reads as absent. */
  fromContext(value: unknown): Value;
}

const claim = <Value, Name extends string, Context extends string | number>(codec: ClaimCodec<Value, Name, Context>) => codec;

/** amr: at most this many values, each 1 to 32 visible ASCII characters (no space). */
export const MAX_AMR_VALUES = 16;
const AMR_VALUE = /^[\x21-\x7e]{1,32}$/;
const NO_AMR: readonly string[] = Object.freeze([]);
/** roles (RFC 9068 §7.2.1): at most this many, each a role name of the contract (lib/authz/roles.ts checks the same rule where roles are set). */
export const MAX_ROLE_VALUES = 16;
const ROLE_VALUE = /^[a-z][a-z0-9_-]{0,31}$/;
const NO_ROLES: readonly string[] = Object.freeze([]);

const invalid = (): never => {
  throw new AccessTokenRejectedError('invalid_claim');
};

/** The schema: one entry per session claim, keyed by its name in the domain. */
export const SESSION_CLAIMS = {
  /** Space-separated scopes; '' when there are none (then left out of tokens). */
  scope: claim({
    name: 'scope',
    absent: '',
    read: (value) => (typeof value === 'string' ? value : invalid()),
    write: (value: string) => value || undefined,
    toContext: (value: string) => value,
    fromContext: (value) => (typeof value === 'string' ? value : ''),
  }),
  /**
   * RFC 8176 methods of the session's last sign-in. Absent reads as [] (claims no method). Present,
   * an array of short space-free values, so the context can join them with spaces unambiguously.
   */
  amr: claim({
    name: 'amr',
    absent: NO_AMR,
    read: (value): readonly string[] => {
      if (!Array.isArray(value) || value.length > MAX_AMR_VALUES) return invalid();
      for (const entry of value) if (typeof entry !== 'string' || !AMR_VALUE.test(entry)) invalid();
      return value as string[];
    },
    write: (value: readonly string[]) => [...value],
    toContext: (value: readonly string[]) => value.join(' '),
    fromContext: (value): readonly string[] => (typeof value === 'string' && value ? value.split(' ') : NO_AMR),
  }),
  /**
   * The account's roles (RFC 9068 §7.2.1), decided from the account at sign-in and written onto
   * every live session when they change (lib/authz/role-change.ts). Absent reads as [] (a token or
   * session from before roles). Written always, [] included, so a token says "no roles" outright.
   */
  roles: claim({
    name: 'roles',
    absent: NO_ROLES,
    read: (value): readonly string[] => {
      if (!Array.isArray(value) || value.length > MAX_ROLE_VALUES) return invalid();
      for (const entry of value) if (typeof entry !== 'string' || !ROLE_VALUE.test(entry)) invalid();
      return value as string[];
    },
    write: (value: readonly string[]) => [...value],
    toContext: (value: readonly string[]) => value.join(' '),
    fromContext: (value): readonly string[] => (typeof value === 'string' && value ? value.split(' ') : NO_ROLES),
  }),
  /** `auth_time` (OpenID Connect Core 2): the session's last real sign-in, epoch seconds; 0 in the context when absent. */
  authTime: claim({
    name: 'auth_time',
    absent: undefined as number | undefined,
    read: (value): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : invalid()),
    write: (value: number | undefined) => value,
    toContext: (value: number | undefined) => value ?? 0,
    // API Gateway hands context values to the handler as strings.
    fromContext: (value): number | undefined => {
      const seconds = typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : value;
      return typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
    },
  }),
};

type Schema = typeof SESSION_CLAIMS;
type AnyCodec = ClaimCodec<unknown, string, string | number>;

/** The session claims as the domain holds them. */
export type SessionClaims = { readonly [Key in keyof Schema]: Schema[Key]['absent'] };

/** The session claims as the authorizer's context carries them, under their token names. */
export type SessionClaimsContext = { [Key in keyof Schema as Schema[Key]['name']]: ReturnType<Schema[Key]['toContext']> };

const ENTRIES = Object.entries(SESSION_CLAIMS) as [keyof Schema, AnyCodec][];

/**
 * Claims of a token payload or a stored `claims` map; throws AccessTokenRejectedError('invalid_claim').
 * `into` receives them (the verifier's principal, built in place: no second object per token).
 */
export function readSessionClaims<Target extends object = object>(source: Readonly<Record<string, unknown>>, into?: Target): SessionClaims & Target {
  const claims = (into ?? {}) as Record<string, unknown>;
  for (let index = 0; index < ENTRIES.length; index++) {
    const [key, codec] = ENTRIES[index]!;
    const value = source[codec.name];
    claims[key] = value === undefined ? codec.absent : codec.read(value);
  }
  return claims as SessionClaims & Target;
}

/** The claims as a token payload (and the stored `claims` map) holds them: plain JSON, absent ones left out. */
export function writeSessionClaims(claims: SessionClaims): Record<string, unknown> {
  const written: Record<string, unknown> = {};
  for (const [key, codec] of ENTRIES) {
    const value = codec.write(claims[key]);
    if (value !== undefined) written[codec.name] = value;
  }
  return written;
}

/** The claims as authorizer context values. */
export function sessionClaimsContext(claims: SessionClaims): SessionClaimsContext {
  const context: Record<string, string | number> = {};
  for (const [key, codec] of ENTRIES) context[codec.name] = codec.toContext(claims[key]);
  return context as SessionClaimsContext;
}

/** The claims back from the context the authorizer set (values may have become strings on the way). */
export function sessionClaimsFromContext(context: Readonly<Record<string, unknown>>): SessionClaims {
  const claims: Record<string, unknown> = {};
  for (const [key, codec] of ENTRIES) claims[key] = codec.fromContext(context[codec.name]);
  return claims as SessionClaims;
}

/**
 * The claims the account decides (its roles, and the permissions they grant as `scope`), as
 * opposed to those a sign-in's proofs decide (`amr`, `auth_time`). A session gets them when it
 * opens; afterwards only a change of the account's roles writes them (lib/authz/role-change.ts),
 * and a re-authentication keeps them as they stand on the session.
 */
export const ACCOUNT_CLAIMS = ['roles', 'scope'] as const satisfies readonly (keyof Schema)[];
export type AccountClaims = Pick<SessionClaims, (typeof ACCOUNT_CLAIMS)[number]>;

/** The stored names of the claims a sign-in's proofs decide (every claim but ACCOUNT_CLAIMS). */
export const SIGN_IN_CLAIM_NAMES: readonly string[] = ENTRIES.filter(([key]) => !(ACCOUNT_CLAIMS as readonly string[]).includes(key)).map(([, codec]) => codec.name);

/** The account claims in their stored form, under their token names (`roles` always, `scope` only when not empty). */
export const writeAccountClaims = (claims: AccountClaims): Record<string, unknown> => {
  const written: Record<string, unknown> = {};
  for (const key of ACCOUNT_CLAIMS) {
    const codec = SESSION_CLAIMS[key] as unknown as AnyCodec;
    const value = codec.write(claims[key]);
    if (value !== undefined) written[codec.name] = value;
  }
  return written;
};

/** The stored names of the account claims. */
export const ACCOUNT_CLAIM_NAMES: readonly string[] = ACCOUNT_CLAIMS.map((key) => SESSION_CLAIMS[key].name);

/** Claims that say nothing: no scope, no method, no sign-in time. */
export const NO_SESSION_CLAIMS: SessionClaims = Object.freeze(readSessionClaims({}));

/** Claims with these values and every other claim absent: a new claim leaves existing callers (tests, benchmarks) as they are. */
export const sessionClaimsWith = (values: Partial<SessionClaims>): SessionClaims => ({ ...NO_SESSION_CLAIMS, ...values });
