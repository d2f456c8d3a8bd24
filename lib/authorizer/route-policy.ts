/**
 * The per-route policy of a REST API authorizer, safe under API Gateway's cache.
 *
 * API Gateway caches an authorizer's answer per token and applies it to every route of the API
 * for the cache TTL. So the policy cannot say "this request is allowed"; it must list exactly the
 * routes the token may call, whichever route asked first:
 *
 * - an Allow statement with the resource of every known route whose requirements hold
 *   (route-permissions.ts: the service's own routes and AUTHORIZER_ROUTE_PERMISSIONS), never the
 *   whole API, so a route nobody listed is refused (implicit deny);
 * - a Deny statement with the resource of every route whose requirements fail, where an Allow
 *   would cover it. Path parameters become `*` in a resource, and IAM's `*` also matches `/`: the
 *   Allow of `GET /orders/{id}` (`GET/orders/*`) covers `GET /orders/{id}/invoice` too. An
 *   explicit Deny wins over any Allow in IAM's evaluation, so the invoice route stays refused.
 *   A Deny that no Allow could reach is left out (the policy stays small), which also keeps a
 *   broad Deny (`GET/orders/*` of a refused `GET /orders/{id}`) from refusing an allowed deeper
 *   route. Where a Deny is needed and also reaches an allowed route, the Deny stays: fail closed
 *   (test/unit/authorizer/route-policy.test.ts shows such a case).
 *
 * The policy depends only on the token's scope and the API and stage, so it is built once per
 * (API/stage prefix, scope) and the same frozen object is returned for every later token.
 */
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { SessionClaims } from '../tokens/session-claims';
import { permissionRequirement, unmetRequirement, type AuthorizerRequirement } from './requirements';
import { canonicalPath, matchRoute, METHODS, parseMethodArn, type RouteRule } from './route-permissions';

export type PolicyDocument = APIGatewayAuthorizerResult['policyDocument'];

export interface RoutePolicy {
  readonly document: PolicyDocument;
  /**
   * Per route index, the `WWW-Authenticate` value when the token may not call it (RFC 6750
   * insufficient_scope with the route's permission), undefined when it may; the last entry is for
   * a route no rule knows.
   */
  readonly refusals: readonly (string | undefined)[];
  /** For an allowed request whose cached answer may refuse others: every permission it lacks; undefined when it lacks none. */
  readonly missing: string | undefined;
}

export interface RouteSite {
  /** The route's index in the rules, or -1 for a route no rule knows. */
  readonly route: number;
  policyFor(claims: SessionClaims): RoutePolicy;
}

export interface RoutePolicies {
  readonly rules: readonly RouteRule[];
  /** Where a REST request's methodArn points; undefined for a value that is no methodArn. */
  siteOf(methodArn: unknown): RouteSite | undefined;
  /** The requirement an HTTP API route key (`GET /orders/{id}`) fails, if any; an unknown key has none. */
  httpApiRefusal(routeKey: unknown, claims: SessionClaims): string | undefined;
}

/** Bounds on the memos: distinct scopes per API and stage, and distinct methodArns (concrete paths). */
const MAX_POLICIES_PER_API = 512;
const MAX_SITES = 4096;

const UNKNOWN_ROUTE_REFUSAL = 'Bearer error="insufficient_scope"';
const insufficientScope = (permissions: string) => `${UNKNOWN_ROUTE_REFUSAL}, scope="${permissions}"`;

/**
 * The policies of these rules under the authorizer-wide requirements (the amr of the MFA
 * authorizer: checked before, and part of every route's list). Undefined when no rule needs a
 * permission: then the whole API is allowed, as before routes had permissions.
 */
export function createRoutePolicies(declared: readonly RouteRule[], wide: readonly AuthorizerRequirement[] = []): RoutePolicies | undefined {
  if (!declared.some((rule) => rule.permission !== undefined)) return undefined;
  const rules = expandAnyMethod(declared);
  const requirements = rules.map((rule) => Object.freeze(rule.permission === undefined ? [...wide] : [...wide, permissionRequirement(rule.permission)]));
  // An HTTP API names an ANY route `ANY /path`: its expansions keep that key (the first one wins).
  const byKey = new Map(rules.map((rule, index) => [rule.key, index] as const).reverse());
  const apis = new Map<string, Map<string, RoutePolicy>>();
  const sites = new Map<string, RouteSite>();

  const siteAt = (prefix: string, route: number): RouteSite => {
    let policies = apis.get(prefix);
    if (!policies) apis.set(prefix, (policies = new Map()));
    return {
      route,
      policyFor(claims) {
        let policy = policies!.get(claims.scope);
        if (!policy) {
          if (policies!.size >= MAX_POLICIES_PER_API) policies!.clear();
          policies!.set(claims.scope, (policy = buildRoutePolicy(prefix, rules, requirements, claims)));
        }
        return policy;
      },
    };
  };

  return {
    rules,
    siteOf(methodArn) {
      let site = sites.get(methodArn as string);
      if (site) return site;
      const parsed = parseMethodArn(methodArn);
      if (!parsed) return undefined;
      if (sites.size >= MAX_SITES) sites.clear();
      site = siteAt(parsed.prefix, matchRoute(rules, parsed.method, parsed.segments));
      sites.set(methodArn as string, site);
      return site;
    },
    httpApiRefusal(routeKey, claims) {
      if (typeof routeKey !== 'string') return undefined;
      const index = byKey.get(routeKey);
      if (index === undefined) return undefined;
      return unmetRequirement(claims, requirements[index]!) ? insufficientScope(rules[index]!.permission ?? '') : undefined;
    },
  };
}

/**
 * `ANY /path` as one rule per method that has no route of its own on that path (each keeps the
 * key `ANY /path`): API Gateway serves `GET /files/{p+}` before `ANY /files/{p+}`, so their
 * resources must not overlap (a Deny of every method under /files/ would refuse the GET route
 * too). Other rules stay as they are.
 */
export function expandAnyMethod(rules: readonly RouteRule[]): RouteRule[] {
  return rules.flatMap((rule) =>
    rule.method !== 'ANY' ? [rule] : METHODS.filter((method) => !rules.some((other) => other.method === method && canonicalPath(other) === canonicalPath(rule))).map((method) => ({ ...rule, method })),
  );
}

/** The policy of one scope on one API and stage (see the header); exported for tests. */
export function buildRoutePolicy(prefix: string, rules: readonly RouteRule[], requirements: readonly (readonly AuthorizerRequirement[])[], claims: SessionClaims): RoutePolicy {
  const allowed = rules.map((_, index) => unmetRequirement(claims, requirements[index]!) === undefined);
  const allowPatterns = new Set<string>();
  rules.forEach((rule, index) => allowed[index] && allowPatterns.add(resourcePattern(rule)));
  const allowTokens = [...allowPatterns].map(patternTokens);
  const denyPatterns = new Set<string>();
  rules.forEach((rule, index) => {
    const paths = concreteTokens(rule);
    // No Allow reaches this route: leaving it out refuses it already.
    if (!allowed[index] && allowTokens.some((allow) => intersects(allow, paths))) denyPatterns.add(resourcePattern(rule));
  });
  // The authorizer-wide requirements hold here (else the whole API was denied): a refused route's permission is missing.
  const missing = [...new Set(rules.filter((rule, index) => !allowed[index] && rule.permission).map((rule) => rule.permission))].sort();
  const statements: { Action: string; Effect: string; Resource: string[] }[] = [];
  if (allowPatterns.size) statements.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...allowPatterns].map((pattern) => `${prefix}/${pattern}`) });
  if (denyPatterns.size) statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [...denyPatterns].map((pattern) => `${prefix}/${pattern}`) });
  // Nothing allowed: one Deny of the whole API (a policy needs a statement).
  if (!statements.length) statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${prefix}/*/*`] });
  const refusals = rules.map((rule, index) => (allowed[index] ? undefined : insufficientScope(rule.permission ?? '')));
  refusals.push(UNKNOWN_ROUTE_REFUSAL);
  for (const statement of statements) Object.freeze(Object.freeze(statement).Resource);
  return Object.freeze({
    document: Object.freeze({ Version: '2012-10-17', Statement: Object.freeze(statements) }) as PolicyDocument,
    refusals: Object.freeze(refusals),
    missing: missing.length ? insufficientScope(missing.join(' ')) : undefined,
  });
}

/** `GET /orders/{id}` as the resource after `{apiId}/{stage}/`: `GET/orders/*`; ANY is `*`. */
export function resourcePattern(rule: Pick<RouteRule, 'method' | 'segments'>): string {
  return `${rule.method === 'ANY' ? '*' : rule.method}/${rule.segments.map((segment) => (segment.kind === 'literal' ? segment.value : '*')).join('/')}`;
}

/**
 * Glob matching on both sides. A policy resource's `*` is any string (IAM: also `/`); a route's
 * concrete paths have one non-empty segment without `/` per parameter (and per ANY method) and one
 * or more characters for a greedy parameter. `intersects` says whether some string matches both.
 * A token is a literal character (a string of length 1) or a class of two characters: `a` any
 * character or `s` any but `/`, then `1` for exactly one or `*` for any number.
 */
type Token = string;
const SEGMENT_PLUS = ['s1', 's*'];
const ANY_PLUS = ['a1', 'a*'];

const patternTokens = (pattern: string): Token[] => [...pattern].map((char) => (char === '*' ? 'a*' : char));

function concreteTokens(rule: Pick<RouteRule, 'method' | 'segments'>): Token[] {
  const tokens: Token[] = rule.method === 'ANY' ? [...SEGMENT_PLUS] : [...rule.method];
  for (const segment of rule.segments) tokens.push('/', ...(segment.kind === 'literal' ? segment.value : segment.kind === 'param' ? SEGMENT_PLUS : ANY_PLUS));
  if (!rule.segments.length) tokens.push('/');
  return tokens;
}

/** Whether one character can match both tokens. */
const fits = (x: Token, y: Token): boolean => (x.length > 1 ? y.length > 1 || x[0] === 'a' || y !== '/' : y.length > 1 ? y[0] === 'a' || x !== '/' : x === y);

/** Whether some string matches both token lists (a search over pairs of positions). */
export function intersects(a: readonly Token[], b: readonly Token[]): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const visit = (i: number, j: number): boolean => {
    const key = i * width + j;
    if (seen.has(key)) return false;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    const xStar = x?.[1] === '*';
    const yStar = y?.[1] === '*';
    if ((xStar && visit(i + 1, j)) || (yStar && visit(i, j + 1))) return true;
    // One character read by both; a star stays where it is (two stars together lead back here).
    return x !== undefined && y !== undefined && fits(x, y) && visit(xStar ? i : i + 1, yStar ? j : j + 1);
  };
  return visit(0, 0);
}

/** Whether an IAM resource pattern (after the prefix) reaches some concrete path of a route: for tests and the README's examples. */
export const patternReaches = (pattern: string, rule: Pick<RouteRule, 'method' | 'segments'>): boolean => intersects(patternTokens(pattern), concreteTokens(rule));
