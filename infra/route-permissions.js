'use strict';
// @ts-check
/**
 * What the authorizer must know of the routes it guards (lib/authorizer/route-permissions.ts):
 * this service's protected routes, each with the permission its declaration requires or null
 * (AUTHORIZER_SERVICE_ROUTES, generated here from handlers/<name>.function.ts), and the routes of
 * other APIs (AUTHORIZER_ROUTE_PERMISSIONS: the environment variable or
 * `--param="authorizerRoutePermissions=<JSON>"`). Both go into the authorizers' own environment;
 * the authorizer checks them again at cold start.
 */

// The contract's permission names (lib/authorizer/route-permissions.ts PERMISSION_PATTERN).
const PERMISSION = /^[a-z][a-z0-9_.-]{0,63}(:[a-z0-9_.*-]{1,64})?$/;

/**
 * `{ "GET /me": null, "GET /admin/users": "users:read", ... }` for the protected routes of these
 * functions; throws for a permission on a route without an authorizer or a malformed one.
 * @param {readonly { declaration: import('../lib/compose/declaration').FunctionDeclaration }[]} functions
 * @returns {Record<string, string | null>}
 */
function serviceRoutePermissions(functions) {
  /** @type {Record<string, string | null>} */
  const routes = {};
  for (const { declaration } of functions) {
    if (declaration.kind !== 'http') continue;
    for (const route of declaration.routes) {
      const where = `${declaration.name}: route ${route.method.toUpperCase()} /${route.path}`;
      if (route.permission !== undefined && route.authorizer === 'none') throw new Error(`${where} requires the permission "${route.permission}" but has no authorizer to check it`);
      if (route.permission !== undefined && !PERMISSION.test(route.permission)) throw new Error(`${where} requires "${route.permission}", which is no permission such as "users:read"`);
      if (route.authorizer === 'none') continue;
      routes[`${route.method.toUpperCase()} /${route.path}`] = route.permission ?? null;
    }
  }
  return routes;
}

/**
 * The authorizers' environment: the service's routes, and other APIs' routes when given.
 * @param {import('./types').VariableSources} sources
 * @param {readonly { declaration: import('../lib/compose/declaration').FunctionDeclaration }[]} functions
 * @returns {Promise<Record<string, string>>}
 */
async function authorizerRouteEnvironment({ resolveVariable }, functions) {
  /** @type {Record<string, string>} */
  const env = { AUTHORIZER_SERVICE_ROUTES: JSON.stringify(serviceRoutePermissions(functions)) };
  const param = await resolveVariable("param:authorizerRoutePermissions, ''");
  const others = process.env.AUTHORIZER_ROUTE_PERMISSIONS || (typeof param === 'string' ? param : '');
  if (others.trim()) {
    try {
      JSON.parse(others);
    } catch {
      throw new Error('AUTHORIZER_ROUTE_PERMISSIONS (or --param="authorizerRoutePermissions=...") must be a JSON object such as {"GET /orders/{id}": "orders:read"}');
    }
    env.AUTHORIZER_ROUTE_PERMISSIONS = others;
  }
  return env;
}

module.exports = { serviceRoutePermissions, authorizerRouteEnvironment };
