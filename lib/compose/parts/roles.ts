/**
 * Role parts: the role map of config/roles.json, validated once per composition (a bad map fails
 * the cold start), and the role change (lib/authz/role-change.ts) that the admin API and the
 * operator's CLI call.
 */
import ROLE_MAP from '../../../config/roles.json';
import type { RoleChangeDeps } from '../../authz/role-change';
import { parseRoleMap, warnUnknownRole } from '../../authz/roles';
import { logger } from '../observability';
import { part } from '../part';
import { sessions, users } from './storage';

export const roleMap = /* @__PURE__ */ part({ name: 'roleMap', uses: { logger }, build: (deps) => parseRoleMap(ROLE_MAP, warnUnknownRole(deps.logger)) });

/**
 * What changeRoles needs: the account (GetItem, and UpdateItem for its roles) and its live sessions
 * (Query on the by-user index, one conditional UpdateItem per session).
 */
export const roleChanges = /* @__PURE__ */ part({
  name: 'roleChanges',
  uses: { users: users('GetItem', 'UpdateItem'), sessions: sessions(['UpdateItem'], ['Query']), roles: roleMap, logger },
  build: (deps, { clock }): RoleChangeDeps => ({ ...deps, clock }),
});
