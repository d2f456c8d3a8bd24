import * as z from 'zod/mini';
import { authorizeAdmin, type AdminCaller, type AdminPermission } from '../admin/admin-access';
import type { AdminPolicy } from '../admin/config';
import { NotFoundError } from '../core/errors';
import { CLIENT_ID_PATTERN } from '../oauth/client-secret';
import type { HttpRequest } from './http';
import { requirePrincipal } from './principal';

/** The admin caller of a request (lib/admin/admin-access.ts): 403 access_denied or mfa_required_for_admin otherwise. */
export const adminCallerOf = (request: HttpRequest, permission: AdminPermission, policy: AdminPolicy): AdminCaller => authorizeAdmin(requirePrincipal(request), request, permission, policy);

/** User ids are UUIDs; anything else (within reason) names no account: 404, never a storage error. */
const USER_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The `{id}` of an admin path: a well-formed user id, or 404 not_found. */
export function targetUserId(request: HttpRequest): string {
  const id = request.pathParameters.id;
  if (id === undefined || !USER_ID.test(id)) throw new NotFoundError('The account');
  return id;
}

/** The `{id}` of an admin client path: a well-formed client id, or 404 not_found. */
export function targetClientId(request: HttpRequest): string {
  const id = request.pathParameters.id;
  if (id === undefined || !CLIENT_ID_PATTERN.test(id)) throw new NotFoundError('The client');
  return id;
}

/** `?cursor=` of GET /admin/clients. */
export const adminClientListQuerySchema = z.object({ cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))) });

/** `?email_prefix=&cursor=` of GET /admin/users. */
export const adminUserListQuerySchema = z.object({
  email_prefix: z.optional(z.string().check(z.maxLength(254))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

/** The body of PUT /admin/users/{id}/roles; the list itself is checked by the role rules (lib/authz/roles.ts). */
export const adminRolesSchema = z.object({ roles: z.array(z.unknown()) });

/** `?user_id=&type=&cursor=` of GET /admin/audit; the type is checked against the audited events (lib/admin/audit-feed.ts). */
export const adminAuditQuerySchema = z.object({
  user_id: z.optional(z.string().check(z.regex(USER_ID))),
  type: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
});
