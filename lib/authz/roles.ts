/**
 * Roles and the permissions they grant.
 *
 * The role map is configuration kept in the repository (config/roles.json), imported so the
 * bundler carries it into each function, and validated once when a function's composition first
 * builds it (a bad map fails the cold start with a message that names the entry). An account holds
 * a set of roles; its permissions are the union of what its roles grant. A role the map does not
 * know grants nothing and is logged once per container as a warning: removing a role from the map
 * must not lock anyone out of signing in.
 *
 * `user` is implicit for every account: what it grants (nothing by default) is in every account's
 * permissions, whether or not the account lists it.
 */
import { z } from 'zod';
import type { Logger } from '../core/logger';

/** A role name (contract: `^[a-z][a-z0-9_-]{0,31}$`). */
export const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** A permission (contract): `users:read`, `orders`, `reports:*`. */
export const PERMISSION_PATTERN = /^[a-z][a-z0-9_.-]{0,63}(:[a-z0-9_.*-]{1,64})?$/;
/** The most roles one account holds. */
export const MAX_ROLES = 16;
/** The role every account has without listing it. */
export const IMPLICIT_ROLE = 'user';

const roleMapSchema = z.record(
  z.string().regex(ROLE_PATTERN, 'a role name must match ^[a-z][a-z0-9_-]{0,31}$'),
  z.array(z.string().regex(PERMISSION_PATTERN, 'a permission must match ^[a-z][a-z0-9_.-]{0,63}(:[a-z0-9_.*-]{1,64})?$')),
);

/** The validated role map, and what an account's roles grant under it. */
export interface RoleMap {
  /** The roles the map knows, sorted. */
  readonly roles: readonly string[];
  /** The permissions a role grants (none for a role the map does not know). */
  grantedBy(role: string): readonly string[];
  /** Every permission of these roles and of the implicit `user` role: sorted, each once. */
  permissionsOf(roles: readonly string[]): string[];
}

/** Thrown at start when the role map is not valid; the message names the entry. */
export class RoleMapError extends Error {
  override readonly name = 'RoleMapError';
}

/**
 * Parses a role map (the JSON of config/roles.json). `warn` hears, once per unknown role, that an
 * account holds a role the map does not know.
 */
export function parseRoleMap(raw: unknown, warn: (role: string) => void = () => undefined): RoleMap {
  const parsed = roleMapSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RoleMapError(`config/roles.json: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  const grants = new Map<string, readonly string[]>(Object.entries(parsed.data).map(([role, permissions]) => [role, Object.freeze([...new Set(permissions)].sort())]));
  if (!grants.has('admin')) throw new RoleMapError('config/roles.json: the `admin` role is required');
  const warned = new Set<string>();
  const grantedBy = (role: string): readonly string[] => {
    const granted = grants.get(role);
    if (granted) return granted;
    if (!warned.has(role)) {
      warned.add(role);
      warn(role);
    }
    return [];
  };
  return {
    roles: Object.freeze([...grants.keys()].sort()),
    grantedBy,
    permissionsOf(roles) {
      const permissions = new Set<string>(grants.get(IMPLICIT_ROLE) ?? []);
      for (const role of roles) for (const permission of grantedBy(role)) permissions.add(permission);
      return [...permissions].sort();
    },
  };
}

/** The role map's warning: logged once per role per container. */
export const warnUnknownRole = (logger: Pick<Logger, 'warn'>) => (role: string) => logger.warn('an account holds a role that config/roles.json does not know; it grants nothing', { role });

/** Why a list of roles is refused. */
export type RolesRejection = 'not_a_list' | 'too_many' | 'invalid_role';

export class InvalidRolesError extends Error {
  override readonly name = 'InvalidRolesError';
  constructor(readonly code: RolesRejection, message: string) {
    super(message);
  }
}

/**
 * An account's roles as stored: each a valid role name, at most MAX_ROLES, each once, sorted.
 * Unknown roles are allowed (the map may gain them later; until then they grant nothing).
 * Throws InvalidRolesError.
 */
export function normalizeRoles(roles: unknown): string[] {
  if (!Array.isArray(roles)) throw new InvalidRolesError('not_a_list', 'roles must be a list of role names');
  for (const role of roles) {
    if (typeof role !== 'string' || !ROLE_PATTERN.test(role)) throw new InvalidRolesError('invalid_role', `"${String(role)}" is not a role name (^[a-z][a-z0-9_-]{0,31}$)`);
  }
  const unique = [...new Set(roles as string[])].sort();
  if (unique.length > MAX_ROLES) throw new InvalidRolesError('too_many', `an account holds at most ${MAX_ROLES} roles`);
  return unique;
}

/** The `scope` of a login through /auth/*: the permissions of the account's roles, space-separated. */
export const scopeOf = (map: RoleMap, roles: readonly string[]): string => map.permissionsOf(roles).join(' ');
