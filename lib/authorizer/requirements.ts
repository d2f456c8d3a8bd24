/**
 * What the authorizer demands of a valid token, as a list: each entry one check of the token's
 * session claims (lib/tokens/session-claims.ts), each failure one closed denial code. The plain
 * authorizer has no authorizer-wide requirement, the MFA authorizer (AUTHORIZER_REQUIRED_AMR=mfa)
 * one `amr` requirement; a route that requires a permission (route-permissions.ts) adds one
 * `permission` requirement to that list for that route. Same code, different lists.
 *
 * A token that fails a requirement is valid: the caller is known, the sign-in or the grant too
 * weak, so the REST API answers 403 (a Deny policy), never 401.
 */
import type { SessionClaims } from '../tokens/session-claims';

export type AuthorizerRequirement =
  /** The session's sign-in used this RFC 8176 method (e.g. `mfa`). */
  | { readonly kind: 'amr'; readonly method: string }
  /** The token's `scope` (space-separated) holds this permission (e.g. `users:write`). */
  | { readonly kind: 'permission'; readonly permission: string };

/** Why a valid token failed a requirement. */
export type RequirementDenial = 'insufficient_authentication' | 'insufficient_scope';

type RequirementCheck<Kind extends AuthorizerRequirement['kind']> = {
  readonly holds: (claims: Pick<SessionClaims, 'amr' | 'scope'>, requirement: Extract<AuthorizerRequirement, { kind: Kind }>) => boolean;
  readonly denial: RequirementDenial;
};

const CHECKS: { readonly [Kind in AuthorizerRequirement['kind']]: RequirementCheck<Kind> } = {
  amr: { holds: (claims, { method }) => claims.amr.includes(method), denial: 'insufficient_authentication' },
  permission: { holds: (claims, { permission }) => scopeHolds(claims.scope, permission), denial: 'insufficient_scope' },
};

/** Every denial a requirement can give, for callers that answer them differently from a bad token. */
export const REQUIREMENT_DENIALS: ReadonlySet<string> = new Set(Object.values(CHECKS).map((check) => check.denial));

/** The first requirement the claims fail, as its denial; undefined when all hold (an empty list always holds). */
export function unmetRequirement(claims: Pick<SessionClaims, 'amr' | 'scope'>, requirements: readonly AuthorizerRequirement[]): RequirementDenial | undefined {
  for (const requirement of requirements) {
    const check = CHECKS[requirement.kind] as RequirementCheck<typeof requirement.kind>;
    if (!check.holds(claims, requirement)) return check.denial;
  }
  return undefined;
}

/** The authorizer-wide requirements a configuration sets (AUTHORIZER_REQUIRED_AMR). */
export function requirementsOf(config: { readonly requiredAmr: string | undefined }): readonly AuthorizerRequirement[] {
  return Object.freeze(config.requiredAmr === undefined ? [] : [{ kind: 'amr', method: config.requiredAmr } as const]);
}

/** The requirement of a route that needs `permission`. */
export const permissionRequirement = (permission: string): AuthorizerRequirement => Object.freeze({ kind: 'permission', permission });

/**
 * Whether a space-separated scope holds `permission` as one whole value (RFC 6749 3.3), without
 * splitting it: `users:read` is not held by `users:readers` or `x-users:read`.
 */
export function scopeHolds(scope: string, permission: string): boolean {
  if (!permission) return false;
  let from = 0;
  for (;;) {
    const at = scope.indexOf(permission, from);
    if (at < 0) return false;
    const end = at + permission.length;
    if ((at === 0 || scope.charCodeAt(at - 1) === 0x20) && (end === scope.length || scope.charCodeAt(end) === 0x20)) return true;
    from = at + 1;
  }
}
