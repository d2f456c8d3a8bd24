'use strict';
// @ts-check
/**
 * serverless.yml's `functions`, from the declarations beside the handlers
 * (handlers/<name>.function.ts): each function's handler, role, size and events. Its role is
 * infra/iam.js's `<Name>Role`, generated from the same declaration.
 */
const { deployedFunctions } = require('./declarations.js');
const { authorizerHandler, publishedKeySets } = require('./environment.js');
const { mfaAuthorizerEnabled, mfaAuthorizerFunction } = require('./mfa-authorizer.js');
const { roleName } = require('./iam.js');
const { authorizerRouteEnvironment } = require('./route-permissions.js');

/**
 * For serverless.yml: `functions: ${file(./infra/functions.js):functions}`.
 * @param {import('./types').VariableSources} sources
 */
async function functions(sources) {
  const { resolveVariable } = sources;
  const local = process.env.AUTH_LOCAL_DEV === 'true';
  const authorizer = await authorizerHandler();
  const sessionCheckAuthorizer = authorizer === 'handlers/authorizer-session-check.handler';
  const [cors, jwtAuthorizer] = await Promise.all([resolveVariable('self:custom.cors'), resolveVariable('self:custom.authorizer')]);
  /** @param {import('../lib/compose/declaration').RouteAuthorizer} kind */
  const authorizerOf = (kind) => {
    if (kind === 'none') return {};
    if (kind === 'jwt') return { authorizer: jwtAuthorizer };
    return { authorizer: { .../** @type {object} */ (jwtAuthorizer), name: 'authorizerMfa' } };
  };
  const mfaAuthorizer = await mfaAuthorizerEnabled(sources);
  const deployed = deployedFunctions({ local, sessionCheckAuthorizer });
  // Every authorizer knows the protected routes and their permissions (infra/route-permissions.js).
  const routeEnvironment = await authorizerRouteEnvironment(sources, deployed);
  const keySets = await publishedKeySets(sources);
  /** @type {Record<string, Record<string, unknown>>} */
  const result = {};
  for (const { declaration, handler, needs } of deployed) {
    const { name } = declaration;
    /** @type {Record<string, unknown>} */
    const definition = { handler };
    // A local-only function (the demo page) gets the provider's default role: it is never deployed.
    if (!declaration.localOnly) definition.role = roleName(name);
    if (declaration.memory !== undefined) definition.memorySize = declaration.memory;
    if (declaration.timeout !== undefined) definition.timeout = declaration.timeout;
    if (declaration.kind === 'http') {
      definition.events = declaration.routes.map((route) => {
        if (route.authorizer === 'mfa' && !mfaAuthorizer) throw new Error(`${name}: route ${route.path} needs the MFA authorizer: deploy with --param="mfaAuthorizer=true"`);
        return { http: { path: route.path, method: route.method, ...authorizerOf(route.authorizer), ...(declaration.localOnly ? {} : { cors }) } };
      });
    }
    if (declaration.kind === 'schedule') definition.events = [{ schedule: declaration.schedule }];
    // Only where a part publishes them: a Lambda's environment holds at most 4 KB.
    const published = Object.assign({}, ...needs().publishes.map((set) => keySets[set]));
    if (Object.keys(published).length) definition.environment = published;
    if (declaration.kind === 'authorizer') definition.environment = routeEnvironment;
    result[name] = definition;
    // With --param="mfaAuthorizer=true": a second authorizer that refuses tokens without `mfa` in amr.
    if (declaration.kind === 'authorizer' && mfaAuthorizer) {
      const mfa = mfaAuthorizerFunction(handler);
      result.authorizerMfa = { ...mfa, environment: { ...routeEnvironment, ...mfa.environment } };
    }
  }
  return result;
}

module.exports = { functions };
