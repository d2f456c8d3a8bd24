import type { HttpRequest, Principal } from './http';

/**
 * The caller of a protected route. API Gateway only invokes these handlers after the
 * authorizer allowed the request, so a missing principal is a wiring bug: a 500, not a 401.
 */
export function requirePrincipal(request: HttpRequest): Principal {
  if (!request.principal) throw new Error('protected route invoked without an authorizer context');
  return request.principal;
}
