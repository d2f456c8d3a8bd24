import { permissionRequirement, unmetRequirement, type AuthorizerRequirement } from '../authorizer/requirements';
import { AccessDeniedError, MfaRequiredForAdminError } from '../core/errors';
import type { ClientInfo } from '../sessions/session-service';
import type { SessionClaims } from '../tokens/session-claims';
import type { AdminPolicy } from './config';

/** The permissions of the admin API (config/roles.json grants them; `admin` has them all). */
export type AdminPermission = 'users:read' | 'users:write' | 'audit:read' | 'clients:read' | 'clients:write';

const SECOND_FACTOR: AuthorizerRequirement = Object.freeze({ kind: 'amr', method: 'mfa' });

/** An admin allowed to make this request: who (for the audit trail and the self rule) and from where. */
export interface AdminCaller extends ClientInfo {
  readonly userId: string;
}

/**
 * The one check of every admin path, in the handler (the authorizer also enforces the route's
 * permission where it is deployed with per-route permissions: defence in depth, and the same
 * answers on serverless-offline). The permission comes first: a token without it is
 * `access_denied` whatever its `amr`; one with it but without `mfa` (while ADMIN_REQUIRE_MFA) is
 * `mfa_required_for_admin`, which tells a real admin what to do.
 */
export function authorizeAdmin(principal: Pick<SessionClaims, 'scope' | 'amr'> & { readonly sub: string }, client: ClientInfo, permission: AdminPermission, policy: AdminPolicy): AdminCaller {
  // The authorizer's own requirement list, in this order.
  const requirements = policy.requireMfa ? [permissionRequirement(permission), SECOND_FACTOR] : [permissionRequirement(permission)];
  const denial = unmetRequirement(principal, requirements);
  if (denial === 'insufficient_scope') throw new AccessDeniedError(permission);
  if (denial === 'insufficient_authentication') throw new MfaRequiredForAdminError();
  return { userId: principal.sub, ip: client.ip, userAgent: client.userAgent };
}
