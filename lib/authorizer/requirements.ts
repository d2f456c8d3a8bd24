/**
 * What a route's authorizer demands of a valid token, as a list: each entry one check of the
 * token's session claims (lib/tokens/session-claims.ts), each failure one closed denial code.
 * The plain authorizer has no requirement, the MFA authorizer (AUTHORIZER_REQUIRED_AMR=mfa) one
 * `amr` requirement: the same code with different lists. A required permission (from roles) will
 * be one more kind here, with its check and its denial.
 *
 * A token that fails a requirement is valid: the caller is known, the sign-in or the grant too
 * weak, so the REST API answers 403 (a Deny policy), never 401.
 */
import type { SessionClaims } from '../tokens/session-claims';

export type AuthorizerRequirement =
  /** The session's sign-in used this RFC 8176 method (e.g. `mfa`). */
  { readonly kind: 'amr'; readonly method: string };

/** Why a valid token failed a requirement. */
export type RequirementDenial = 'insufficient_authentication';

type RequirementCheck<Kind extends AuthorizerRequirement['kind']> = {
  readonly holds: (claims: SessionClaims, requirement: Extract<AuthorizerRequirement, { kind: Kind }>) => boolean;
  readonly denial: RequirementDenial;
};

const CHECKS: { readonly [Kind in AuthorizerRequirement['kind']]: RequirementCheck<Kind> } = {
  amr: { holds: (claims, { method }) => claims.amr.includes(method), denial: 'insufficient_authentication' },
};

/** Every denial a requirement can give, for callers that answer them differently from a bad token. */
export const REQUIREMENT_DENIALS: ReadonlySet<string> = new Set(Object.values(CHECKS).map((check) => check.denial));

/** The first requirement the claims fail, as its denial; undefined when all hold (an empty list always holds). */
export function unmetRequirement(claims: SessionClaims, requirements: readonly AuthorizerRequirement[]): RequirementDenial | undefined {
  for (const requirement of requirements) {
    const check = CHECKS[requirement.kind] as RequirementCheck<typeof requirement.kind>;
    if (!check.holds(claims, requirement)) return check.denial;
  }
  return undefined;
}

/** The requirements an authorizer's configuration sets (AUTHORIZER_REQUIRED_AMR). */
export function requirementsOf(config: { readonly requiredAmr: string | undefined }): readonly AuthorizerRequirement[] {
  return Object.freeze(config.requiredAmr === undefined ? [] : [{ kind: 'amr', method: config.requiredAmr } as const]);
}
