/**
 * One typed declaration per function, beside its handler (handlers/<name>.function.ts): how it is
 * reached, how big it is, and the parts it builds. The handler builds exactly these parts, and
 * infra/functions.js turns every declaration into serverless.yml's function, its IAM role (the
 * union of its parts' needs) and its native packages. Adding an endpoint is a handler, its
 * declaration and its tests.
 */
import type { Part } from './part';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Which authorizer guards a route: none, the access-token authorizer (`jwt`; the session-checking
 * variant where AUTHORIZER_CHECK_SESSION is on), or the one that also requires a second factor
 * (`mfa`, deployed with --param="mfaAuthorizer=true").
 */
export type RouteAuthorizer = 'none' | 'jwt' | 'mfa';

export interface HttpRoute {
  readonly method: HttpMethod;
  /** Without a leading slash, as serverless.yml writes it: `auth/login`, `auth/sessions/{id}`. */
  readonly path: string;
  readonly authorizer: RouteAuthorizer;
  /**
   * The one permission a caller's token must grant (its `scope` holds it), e.g. `users:write`;
   * only on a route with an authorizer. infra/functions.js hands every protected route and its
   * permission to the authorizer (AUTHORIZER_SERVICE_ROUTES), whose policy then lists exactly the
   * routes a token may call (lib/authorizer/route-policy.ts).
   */
  readonly permission?: string;
}

interface Sizing {
  /** MB; 256 when unset. Memory buys CPU on Lambda: the password-hashing functions take 512. */
  readonly memory?: number;
  /** Seconds; the provider's default (LAMBDA_TIMEOUT_SECONDS, 10) when unset. */
  readonly timeout?: number;
  /** Deployed nowhere: defined only for local development (AUTH_LOCAL_DEV=true). */
  readonly localOnly?: boolean;
}

type PartShape = Record<string, Part<unknown>>;

export interface HttpFunction<Shape extends PartShape = PartShape, Apart extends PartShape = PartShape> extends Sizing {
  readonly kind: 'http';
  /** serverless.yml's function key (its role is `<Name>Role`). */
  readonly name: string;
  readonly routes: readonly HttpRoute[];
  readonly parts: Shape;
  /**
   * Parts built apart from `parts`: the handler builds them itself, and their failure does not fail
   * the invocation (a registration's verification email). They count for the role like the others.
   */
  readonly apart?: Apart;
}

export interface ScheduledFunction<Shape extends PartShape = PartShape> extends Sizing {
  readonly kind: 'schedule';
  readonly name: string;
  /** An EventBridge schedule expression: `rate(1 minute)`. */
  readonly schedule: string;
  readonly parts: Shape;
}

/**
 * A Lambda authorizer. The stack deploys one variant as `authorizer`: the session-checking one
 * where AUTHORIZER_CHECK_SESSION is on or the algorithm is HS256 (its key is an SSM secret), the
 * stateless one otherwise (infra/environment.js authorizerHandler).
 */
export interface AuthorizerFunction<Shape extends PartShape = PartShape> extends Sizing {
  readonly kind: 'authorizer';
  readonly name: 'authorizer';
  readonly variant: 'stateless' | 'session-check';
  readonly parts: Shape;
}

export type FunctionDeclaration<Shape extends PartShape = PartShape> = HttpFunction<Shape> | ScheduledFunction<Shape> | AuthorizerFunction<Shape>;

/** Declares an HTTP function: `export default httpFunction({ name: 'me', routes: [...], parts: {...} })`. */
export const httpFunction = <Shape extends PartShape, Apart extends PartShape = {}>(declaration: Omit<HttpFunction<Shape, Apart>, 'kind'>): HttpFunction<Shape, Apart> => ({
  kind: 'http',
  ...declaration,
});

export const scheduledFunction = <Shape extends PartShape>(declaration: Omit<ScheduledFunction<Shape>, 'kind'>): ScheduledFunction<Shape> => ({ kind: 'schedule', ...declaration });

export const authorizerFunction = <Shape extends PartShape>(declaration: Omit<AuthorizerFunction<Shape>, 'kind' | 'name'>): AuthorizerFunction<Shape> => ({
  kind: 'authorizer',
  name: 'authorizer',
  ...declaration,
});

/** A route: `route('post', 'auth/login')`, `route('get', 'me', 'jwt')`, `route('get', 'admin/users', 'mfa', 'users:read')`. */
export const route = (method: HttpMethod, path: string, authorizer: RouteAuthorizer = 'none', permission?: string): HttpRoute =>
  permission === undefined ? { method, path, authorizer } : { method, path, authorizer, permission };
