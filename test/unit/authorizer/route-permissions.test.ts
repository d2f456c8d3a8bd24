import { ConfigError } from '../../../lib/core/errors';
import { loadAuthorizerConfig } from '../../../lib/core/config';
import { mergeRouteRules, parseRoutePermissions } from '../../../lib/authorizer/route-permissions';
import { testEnv } from '../../support/fixtures';

const refusal = (raw: string) => {
  try {
    parseRoutePermissions(raw, 'AUTHORIZER_ROUTE_PERMISSIONS');
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('route permissions (AUTHORIZER_ROUTE_PERMISSIONS, AUTHORIZER_SERVICE_ROUTES)', () => {
  it('reads "METHOD /path" keys with API Gateway templates, ANY, and null for a route that needs only a valid token', () => {
    const rules = parseRoutePermissions('{"GET /orders/{id}": "orders:read", "ANY /files/{path+}": "files:write", "GET /": null}', 'X');
    expect(rules).toEqual([
      { key: 'GET /orders/{id}', method: 'GET', segments: [{ kind: 'literal', value: 'orders' }, { kind: 'param' }], permission: 'orders:read' },
      { key: 'ANY /files/{path+}', method: 'ANY', segments: [{ kind: 'literal', value: 'files' }, { kind: 'greedy' }], permission: 'files:write' },
      { key: 'GET /', method: 'GET', segments: [], permission: undefined },
    ]);
    expect(parseRoutePermissions(undefined, 'X')).toEqual([]);
    expect(parseRoutePermissions('  ', 'X')).toEqual([]);
  });

  it.each([
    ['not JSON', '{GET /a: "p"}'],
    ['an array', '[["GET /a", "p:a"]]'],
    ['a lower-case method', '{"get /a": "p:a"}'],
    ['an unknown method', '{"FETCH /a": "p:a"}'],
    ['no leading slash', '{"GET a": "p:a"}'],
    ['a wildcard in the path', '{"GET /a/*": "p:a"}'],
    ['a greedy parameter before the end', '{"GET /{p+}/a": "p:a"}'],
    ['an unclosed parameter', '{"GET /a/{id": "p:a"}'],
    ['a permission that is not one', '{"GET /a": "Users Read"}'],
    ['an empty permission', '{"GET /a": ""}'],
    ['a number', '{"GET /a": 3}'],
    ['a list of permissions', '{"GET /a": ["p:a"]}'],
  ])('refuses %s at cold start, naming the variable', (_case, raw) => {
    const error = refusal(raw);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable: 'AUTHORIZER_ROUTE_PERMISSIONS' });
  });

  it('lets the deploy parameter add a permission to a declared route, never change or drop a declared one', () => {
    const service = parseRoutePermissions('{"GET /me": null, "GET /admin/users": "users:read"}', 'AUTHORIZER_SERVICE_ROUTES');
    const merged = mergeRouteRules(service, parseRoutePermissions('{"GET /me": "profile:read", "GET /orders": "orders:read"}', 'V'), 'V');
    expect(merged.map((rule) => [rule.key, rule.permission])).toEqual([
      ['GET /me', 'profile:read'],
      ['GET /admin/users', 'users:read'],
      ['GET /orders', 'orders:read'],
    ]);
    expect(() => mergeRouteRules(service, parseRoutePermissions('{"GET /admin/users": null}', 'V'), 'V')).toThrow(ConfigError);
    expect(() => mergeRouteRules(service, parseRoutePermissions('{"GET /admin/users": "users:write"}', 'V'), 'V')).toThrow(/"GET \/admin\/users" is declared "users:read"/);
    expect(mergeRouteRules(service, parseRoutePermissions('{"GET /admin/users": "users:read"}', 'V'), 'V')).toHaveLength(2);
  });

  it('the authorizer configuration reads both at cold start', async () => {
    const config = loadAuthorizerConfig(await testEnv({ AUTHORIZER_SERVICE_ROUTES: '{"GET /me": null}', AUTHORIZER_ROUTE_PERMISSIONS: '{"GET /me": "profile:read"}' }));
    expect(config.routes.map((rule) => [rule.key, rule.permission])).toEqual([['GET /me', 'profile:read']]);
    await expect(testEnv({ AUTHORIZER_ROUTE_PERMISSIONS: '{"GET /me": "Profile"}' }).then(loadAuthorizerConfig)).rejects.toMatchObject({ name: 'ConfigError', variable: 'AUTHORIZER_ROUTE_PERMISSIONS' });
  });
});
