/** Role parts: the role map of config/roles.json, validated once per composition (a bad map fails the cold start). */
import ROLE_MAP from '../../../config/roles.json';
import { parseRoleMap, warnUnknownRole } from '../../authz/roles';
import { logger } from '../observability';
import { part } from '../part';

export const roleMap = /* @__PURE__ */ part({ name: 'roleMap', uses: { logger }, build: (deps) => parseRoleMap(ROLE_MAP, warnUnknownRole(deps.logger)) });
