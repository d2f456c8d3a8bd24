/**
 * Which permission each route needs, as the authorizer knows it: the routes this service declares
 * (handlers/<name>.function.ts, handed over by infra/functions.js as AUTHORIZER_SERVICE_ROUTES) and
 * the routes of other APIs that use this authorizer (AUTHORIZER_ROUTE_PERMISSIONS). Both are JSON
 * objects keyed `"METHOD /path"`, with API Gateway path templates (`/orders/{id}`, `/files/{path+}`)
 * and `ANY` for every method; a value is a permission, or null for a route that needs only a valid
 * token (listed so that a policy which cannot allow the whole API still allows it).
 *
 * This file parses and checks them (at cold start), and finds the route of a request: the
 * methodArn of a REST API (a concrete path on AWS, the template itself under serverless-offline)
 * or the routeKey of an HTTP API.
 */
import { ConfigError } from '../core/errors';

/** The contract's permission names: `users:read`, `orders`, `files:*`. */
export const PERMISSION_PATTERN = /^[a-z][a-z0-9_.-]{0,63}(:[a-z0-9_.*-]{1,64})?$/;
/** The methods of a route key but ANY, which stands for all of them. */
export const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
// A literal path segment as API Gateway takes it, without `*` (a wildcard in a policy's resource)
// or braces (a template's parameter).
const LITERAL = /^[A-Za-z0-9._~!$&'()+,;=:@%-]+$/;
const PARAM = /^\{[\w.-]+(\+?)\}$/;

export type Segment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'param' } | { readonly kind: 'greedy' };

export interface RouteRule {
  /** `GET /orders/{id}`, as written. */
  readonly key: string;
  /** Upper case; `ANY` matches every method. */
  readonly method: string;
  readonly segments: readonly Segment[];
  /** undefined: any valid token may call it. */
  readonly permission: string | undefined;
}

/** Parses `"METHOD /path"`; throws ConfigError naming `variable`. */
export function parseRouteKey(key: string, variable: string): Pick<RouteRule, 'key' | 'method' | 'segments'> {
  const match = /^([A-Z]+) (\/\S*)$/.exec(key);
  if (!match || (match[1] !== 'ANY' && !METHODS.includes(match[1]!))) throw new ConfigError(variable, `key "${key}" is not "METHOD /path"`);
  const path = match[2]!;
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments = parts.map((part, index): Segment => {
    if (LITERAL.test(part)) return { kind: 'literal', value: part };
    const param = PARAM.exec(part);
    if (param && !param[1]) return { kind: 'param' };
    if (param && index === parts.length - 1) return { kind: 'greedy' };
    throw new ConfigError(variable, `key "${key}": "${part}" is no path template segment`);
  });
  return { key, method: match[1]!, segments };
}

/**
 * A JSON object of route keys to permissions (or null) as route rules; throws ConfigError naming
 * `variable` for anything else, so a typo fails the cold start instead of opening a route.
 */
export function parseRoutePermissions(raw: string | undefined, variable: string): RouteRule[] {
  if (raw === undefined || raw.trim() === '') return [];
  const notObject = () => new ConfigError(variable, 'must be a JSON object');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw notObject();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw notObject();
  return Object.entries(parsed).map(([key, value]) => {
    if (value !== null && (typeof value !== 'string' || !PERMISSION_PATTERN.test(value))) {
      throw new ConfigError(variable, `"${key}": ${JSON.stringify(value)} is no permission (or null)`);
    }
    return { ...parseRouteKey(key, variable), permission: value ?? undefined };
  });
}

/**
 * The service's own routes with what the deployment adds for them and for other APIs. A route in
 * both keeps the declared permission: the deploy parameter may add a permission to a route that
 * declares none, never change or drop a declared one.
 */
export function mergeRouteRules(service: readonly RouteRule[], others: readonly RouteRule[], variable: string): RouteRule[] {
  const merged = new Map(service.map((rule) => [`${rule.method} ${canonicalPath(rule)}`, rule]));
  for (const rule of others) {
    const declared = merged.get(`${rule.method} ${canonicalPath(rule)}`);
    if (declared?.permission !== undefined && declared.permission !== rule.permission) {
      throw new ConfigError(variable, `"${rule.key}" is declared "${declared.permission}"`);
    }
    merged.set(`${rule.method} ${canonicalPath(rule)}`, declared?.permission !== undefined ? declared : rule);
  }
  return [...merged.values()];
}

/** Parameter names do not matter to API Gateway: `/a/{id}` and `/a/{x}` are one route. */

/** The path with its parameters unnamed: `/a/{}`, `/files/{+}`. */
export const canonicalPath = (rule: Pick<RouteRule, 'segments'>) =>
  `/${rule.segments.map((segment) => (segment.kind === 'literal' ? segment.value : segment.kind === 'param' ? '{}' : '{+}')).join('/')}`;

/**
 * The index of the rule that serves `method` and the path's segments, as API Gateway picks it: the
 * most specific path first (a literal segment before a parameter before a greedy one, from the
 * left), then an exact method before ANY; -1 when none does.
 */
export function matchRoute(rules: readonly RouteRule[], method: string, segments: readonly string[]): number {
  let best = -1;
  let bestRank: string | undefined;
  for (let index = 0; index < rules.length; index++) {
    const rank = rankOf(rules[index]!, method, segments);
    // Digits compare as API Gateway prefers: position by position, a shorter rank first.
    if (rank !== undefined && (bestRank === undefined || rank < bestRank)) {
      best = index;
      bestRank = rank;
    }
  }
  return best;
}

/** How specifically a rule matches, one digit per segment (0 literal, 1 parameter, 2 greedy) and one for the method; undefined when it does not. */
function rankOf(rule: RouteRule, method: string, segments: readonly string[]): string | undefined {
  if (rule.method !== 'ANY' && rule.method !== method) return undefined;
  const methodRank = rule.method === 'ANY' ? '1' : '0';
  let rank = '';
  for (let index = 0; index < rule.segments.length; index++) {
    const segment = rule.segments[index]!;
    const actual = segments[index];
    if (!actual) return undefined;
    if (segment.kind === 'greedy') return `${rank}2${methodRank}`;
    if (segment.kind === 'literal' && actual !== segment.value) return undefined;
    rank += segment.kind === 'literal' ? '0' : '1';
  }
  return segments.length === rule.segments.length ? rank + methodRank : undefined;
}

/**
 * A REST methodArn, `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`, as
 * the API and stage prefix, the method and the path's segments; undefined when it is no such ARN.
 */
export function parseMethodArn(methodArn: unknown): { prefix: string; method: string; segments: string[] } | undefined {
  if (typeof methodArn !== 'string' || !methodArn.startsWith('arn:')) return undefined;
  const [api, stage, method, ...path] = methodArn.split('/');
  if (!api || !stage || !method) return undefined;
  return { prefix: `${api}/${stage}`, method, segments: path.length === 1 && path[0] === '' ? [] : path };
}
