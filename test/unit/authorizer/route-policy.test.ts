import { buildRoutePolicy, createRoutePolicies, patternReaches, resourcePattern, type PolicyDocument, type RoutePolicies } from '../../../lib/authorizer/route-policy';
import { parseRouteKey, parseRoutePermissions } from '../../../lib/authorizer/route-permissions';
import { sessionClaimsWith } from '../../../lib/tokens/session-claims';

const PREFIX = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod';
const arn = (route: string) => `${PREFIX}/${route}`;
const claims = (scope: string) => sessionClaimsWith({ scope, amr: ['pwd'] });

/**
 * How API Gateway evaluates a returned policy against a methodArn, written apart from the code
 * under test: IAM's `*` matches any characters (`/` too), an explicit Deny wins, and anything no
 * Allow matches is refused.
 */
function iamAllows(document: PolicyDocument, methodArn: string): boolean {
  const matches = (pattern: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(methodArn);
  const statements = document.Statement as unknown as { Effect: string; Resource: string | string[] }[];
  const hits = (effect: string) => statements.some((statement) => statement.Effect === effect && [statement.Resource].flat().some(matches));
  return !hits('Deny') && hits('Allow');
}

const ADMIN = {
  'GET /admin/users': 'users:read',
  'GET /admin/users/{id}': 'users:read',
  'PUT /admin/users/{id}/roles': 'users:write',
  'POST /admin/users/{id}/disable': 'users:write',
  'DELETE /admin/users/{id}': 'users:write',
  'GET /admin/audit': 'audit:read',
  'GET /me': null,
  'DELETE /auth/sessions/{id}': null,
};
const policiesOf = (map: Record<string, string | null>): RoutePolicies => createRoutePolicies(parseRoutePermissions(JSON.stringify(map), 'TEST'))!;

describe('per-route policy', () => {
  it('the cache case: the answer for GET /admin/users never opens DELETE /admin/users/{id} to a token without users:write', () => {
    const policies = policiesOf(ADMIN);
    const site = policies.siteOf(arn('GET/admin/users'))!;
    const { document, refusals } = site.policyFor(claims('users:read'));
    expect(refusals.at(site.route)).toBeUndefined();
    // API Gateway serves this cached answer to every route of the API and stage.
    expect(iamAllows(document, arn('GET/admin/users'))).toBe(true);
    expect(iamAllows(document, arn('GET/admin/users/0b7c5e0e'))).toBe(true);
    expect(iamAllows(document, arn('DELETE/admin/users/0b7c5e0e'))).toBe(false);
    expect(iamAllows(document, arn('PUT/admin/users/0b7c5e0e/roles'))).toBe(false);
    expect(iamAllows(document, arn('POST/admin/users/0b7c5e0e/disable'))).toBe(false);
    expect(iamAllows(document, arn('GET/admin/audit'))).toBe(false);
    expect(iamAllows(document, arn('GET/me'))).toBe(true);
    expect(iamAllows(document, arn('DELETE/auth/sessions/s-1'))).toBe(true);
    // A route no rule knows cannot be allowed without allowing the whole API.
    expect(iamAllows(document, arn('GET/not/listed'))).toBe(false);
    expect(JSON.stringify(document)).not.toContain('/*/*');
  });

  it('answers a request to a route the token lacks with the same policy, naming that route’s permission', () => {
    const policies = policiesOf(ADMIN);
    const allowedSite = policies.siteOf(arn('GET/admin/users'))!;
    const refusedSite = policies.siteOf(arn('DELETE/admin/users/0b7c5e0e'))!;
    const fromAllowed = allowedSite.policyFor(claims('users:read'));
    const fromRefused = refusedSite.policyFor(claims('users:read'));
    expect(fromRefused).toBe(fromAllowed);
    expect(fromRefused.refusals.at(refusedSite.route)).toBe('Bearer error="insufficient_scope", scope="users:write"');
    expect(fromAllowed.missing).toBe('Bearer error="insufficient_scope", scope="audit:read users:write"');
  });

  it('builds the policy of one scope on one API and stage once: later tokens get the same frozen object', () => {
    const policies = policiesOf(ADMIN);
    const first = policies.siteOf(arn('GET/me'))!.policyFor(claims('users:read users:write'));
    const second = policies.siteOf(arn('PUT/admin/users/x/roles'))!.policyFor(claims('users:read users:write'));
    expect(second).toBe(first);
    expect(second.document).toBe(first.document);
    expect(Object.isFrozen(first.document.Statement)).toBe(true);
    expect(policies.siteOf(arn('GET/me'))!.policyFor(claims('users:read'))).not.toBe(first);
    // Another stage is another API as far as the cache goes.
    const otherStage = policies.siteOf('arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/me')!.policyFor(claims('users:read users:write'));
    expect(otherStage).not.toBe(first);
    expect(JSON.stringify(otherStage.document)).toContain('a1b2c3d4e5/dev/GET/me');
  });

  it('a token holding every permission gets every listed route, and still no whole-API Allow', () => {
    const { document, missing } = policiesOf(ADMIN).siteOf(arn('GET/me'))!.policyFor(claims('users:read users:write audit:read'));
    for (const route of ['GET/admin/users', 'DELETE/admin/users/u', 'PUT/admin/users/u/roles', 'GET/admin/audit', 'GET/me']) expect([route, iamAllows(document, arn(route))]).toEqual([route, true]);
    expect(document.Statement).toHaveLength(1);
    expect(missing).toBeUndefined();
  });

  it('wildcard overlap: the Allow of GET /orders/{id} reaches /orders/{id}/invoice, so an explicit Deny keeps the invoice refused', () => {
    const policies = policiesOf({ 'GET /orders/{id}': 'orders:read', 'GET /orders/{id}/invoice': 'billing:read' });
    const { document } = policies.siteOf(arn('GET/orders/7'))!.policyFor(claims('orders:read'));
    expect(iamAllows(document, arn('GET/orders/7'))).toBe(true);
    expect(iamAllows(document, arn('GET/orders/7/invoice'))).toBe(false);
    expect(document.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Resource: [arn('GET/orders/*/invoice')] }));
  });

  it('wildcard overlap the other way: a refused GET /orders/{id} is left out, not denied, so its wildcard does not refuse the allowed invoice route', () => {
    const policies = policiesOf({ 'GET /orders/{id}': 'orders:read', 'GET /orders/{id}/invoice': 'billing:read' });
    const { document } = policies.siteOf(arn('GET/orders/7/invoice'))!.policyFor(claims('billing:read'));
    expect(iamAllows(document, arn('GET/orders/7/invoice'))).toBe(true);
    expect(iamAllows(document, arn('GET/orders/7'))).toBe(false);
    expect(document.Statement).toEqual([expect.objectContaining({ Effect: 'Allow' })]);
  });

  it('fails closed where a needed Deny also reaches an allowed route', () => {
    const rules = parseRoutePermissions(JSON.stringify({ 'GET /a/{x}': 'p:a', 'GET /a/{x}/b': 'p:b', 'GET /a/{x}/c/b': 'p:a' }), 'TEST');
    const requirements = rules.map((rule) => [{ kind: 'permission' as const, permission: rule.permission! }]);
    const policy = buildRoutePolicy(PREFIX, rules, requirements, claims('p:a'));
    expect(iamAllows(policy.document, arn('GET/a/1'))).toBe(true);
    expect(iamAllows(policy.document, arn('GET/a/1/b'))).toBe(false);
    expect(iamAllows(policy.document, arn('GET/a/1/c/b'))).toBe(false);
  });

  it('ANY: every method of the path, except a method with a route of its own there (API Gateway serves that one first)', () => {
    const policies = policiesOf({ 'ANY /files/{path+}': 'files:write', 'GET /files/{path+}': 'files:read' });
    const reader = policies.siteOf(arn('GET/files/a/b.txt'))!.policyFor(claims('files:read'));
    expect(iamAllows(reader.document, arn('GET/files/a/b.txt'))).toBe(true);
    for (const method of ['PUT', 'POST', 'DELETE', 'PATCH']) expect([method, iamAllows(reader.document, arn(`${method}/files/a/b.txt`))]).toEqual([method, false]);
    const writer = policies.siteOf(arn('PUT/files/a'))!.policyFor(claims('files:write'));
    expect(iamAllows(writer.document, arn('PUT/files/a'))).toBe(true);
    expect(iamAllows(writer.document, arn('DELETE/files/a/b'))).toBe(true);
    expect(iamAllows(writer.document, arn('GET/files/a'))).toBe(false);
  });

  it('finds the request’s route as API Gateway does: a literal segment before a parameter, an exact method before ANY, offline’s template paths too', () => {
    const policies = policiesOf({ 'GET /a/{x}': 'p:param', 'GET /a/me': 'p:literal', 'ANY /b': 'p:any', 'POST /b': 'p:post', 'GET /{proxy+}': null });
    const permissionAt = (methodArn: string) => {
      const site = policies.siteOf(arn(methodArn))!;
      return site.route < 0 ? 'unknown' : policies.rules[site.route]!.permission ?? 'none';
    };
    expect(permissionAt('GET/a/me')).toBe('p:literal');
    expect(permissionAt('GET/a/other')).toBe('p:param');
    expect(permissionAt('GET/a/{x}')).toBe('p:param');
    expect(permissionAt('POST/b')).toBe('p:post');
    expect(permissionAt('DELETE/b')).toBe('p:any');
    expect(permissionAt('GET/deep/er/path')).toBe('none');
    expect(permissionAt('POST/nothing')).toBe('unknown');
    expect(policies.siteOf('not an arn')).toBeUndefined();
  });

  it('refuses a route no rule knows with a bare insufficient_scope', () => {
    const policies = policiesOf(ADMIN);
    const site = policies.siteOf(arn('GET/unknown'))!;
    expect(site.route).toBe(-1);
    expect(site.policyFor(claims('')).refusals.at(site.route)).toBe('Bearer error="insufficient_scope"');
  });

  it('a token without any listed permission is still allowed the routes that need none', () => {
    const { document } = policiesOf(ADMIN).siteOf(arn('GET/me'))!.policyFor(claims(''));
    expect(iamAllows(document, arn('GET/me'))).toBe(true);
    expect(iamAllows(document, arn('GET/admin/users'))).toBe(false);
    expect(iamAllows(document, arn('GET/admin/users/x'))).toBe(false);
  });

  it('denies the whole API when nothing is allowed', () => {
    const { document } = policiesOf({ 'GET /a': 'p:a' }).siteOf(arn('GET/a'))!.policyFor(claims(''));
    expect(document.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${PREFIX}/*/*`] }]);
  });

  it('no rule with a permission: no per-route policy at all (the whole API, as before)', () => {
    expect(createRoutePolicies(parseRoutePermissions('{"GET /me": null}', 'TEST'))).toBeUndefined();
    expect(createRoutePolicies([])).toBeUndefined();
  });

  it('an authorizer-wide requirement (amr) is part of every route’s list', () => {
    const policies = createRoutePolicies(parseRoutePermissions('{"GET /a": "p:a", "GET /b": null}', 'TEST'), [{ kind: 'amr', method: 'mfa' }])!;
    const { document } = policies.siteOf(arn('GET/a'))!.policyFor(sessionClaimsWith({ scope: 'p:a', amr: ['pwd'] }));
    expect(iamAllows(document, arn('GET/a'))).toBe(false);
    expect(iamAllows(document, arn('GET/b'))).toBe(false);
  });

  it('HTTP API: the route key decides; ANY routes by their own key; unknown keys need nothing', () => {
    const policies = policiesOf({ 'GET /orders/{id}': 'orders:read', 'ANY /files/{p+}': 'files:write' });
    expect(policies.httpApiRefusal('GET /orders/{id}', claims('orders:read'))).toBeUndefined();
    expect(policies.httpApiRefusal('GET /orders/{id}', claims('orders:readers'))).toBe('Bearer error="insufficient_scope", scope="orders:read"');
    expect(policies.httpApiRefusal('ANY /files/{p+}', claims(''))).toBe('Bearer error="insufficient_scope", scope="files:write"');
    expect(policies.httpApiRefusal('GET /health', claims(''))).toBeUndefined();
  });

  it('turns templates into resources, and knows which concrete paths a resource reaches', () => {
    const rule = (key: string) => parseRouteKey(key, 'TEST');
    expect(resourcePattern(rule('GET /orders/{id}/items'))).toBe('GET/orders/*/items');
    expect(resourcePattern(rule('ANY /files/{path+}'))).toBe('*/files/*');
    expect(resourcePattern(rule('GET /'))).toBe('GET/');
    expect(patternReaches('GET/orders/*', rule('GET /orders/{id}/items'))).toBe(true);
    expect(patternReaches('GET/orders/*/items', rule('GET /orders/{id}'))).toBe(false);
    expect(patternReaches('GET/a/*/b', rule('GET /a/{x}/c/b'))).toBe(true);
    expect(patternReaches('GET/a/*/b', rule('GET /a/{x}/b/c'))).toBe(false);
    expect(patternReaches('*/a', rule('DELETE /a'))).toBe(true);
    expect(patternReaches('GET/a', rule('DELETE /a'))).toBe(false);
  });
});
