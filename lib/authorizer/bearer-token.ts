import type { APIGatewayRequestAuthorizerEvent, APIGatewayRequestAuthorizerEventV2, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';

export type AuthorizerEvent = APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent | APIGatewayRequestAuthorizerEventV2;

/** Why a request carries no usable bearer token. */
export type BearerRefusal = 'no_bearer' | 'multiple_authorization';

/** The request has no single `Authorization: Bearer <token>`; the code says which. */
export class BearerTokenError extends Error {
  override readonly name = 'BearerTokenError';
  constructor(readonly code: BearerRefusal) {
    super(`authorization header refused: ${code}`);
  }
}

// RFC 6750: the scheme without regard to case, then one token; white space around the value is not
// part of it (RFC 9110, 5.5). Whether the token is well formed is the verifier's question.
const BEARER = /^bearer +(\S+)$/i;

/**
 * The bearer token of a REST TOKEN, REST REQUEST or HTTP API v2 REQUEST event; never from the
 * query string, cookies or identitySource. More than one Authorization value is refused: REST
 * REQUEST events list them in multiValueHeaders, HTTP API v2 joins them with a comma, which a
 * compact JWS can never contain, so "Bearer a, Bearer b" is refused in every shape.
 */
export function bearerTokenOf(event: AuthorizerEvent): string {
  const value = event.type === 'TOKEN' ? event.authorizationToken : authorizationHeaderOf(event);
  if (value === undefined || value === null) throw new BearerTokenError('no_bearer');
  if (value.includes(',')) throw new BearerTokenError('multiple_authorization');
  const match = BEARER.exec(value.trim());
  if (!match) throw new BearerTokenError('no_bearer');
  return match[1]!;
}

function authorizationHeaderOf(event: APIGatewayRequestAuthorizerEvent | APIGatewayRequestAuthorizerEventV2): string | undefined {
  const multiValueHeaders = 'multiValueHeaders' in event ? event.multiValueHeaders : undefined;
  if (multiValueHeaders) {
    let found: string | undefined;
    let count = 0;
    for (const name in multiValueHeaders) {
      if (name.toLowerCase() !== 'authorization') continue;
      for (const value of multiValueHeaders[name] ?? []) {
        count += 1;
        found = value;
      }
    }
    if (count > 1) throw new BearerTokenError('multiple_authorization');
    if (count === 1) return found;
  }
  // Names differ only in case when a client sent two headers that a proxy did not merge.
  let found: string | undefined;
  let count = 0;
  const headers = event.headers ?? {};
  for (const name in headers) {
    if (name.toLowerCase() !== 'authorization' || headers[name] === undefined) continue;
    count += 1;
    found = headers[name];
  }
  if (count > 1) throw new BearerTokenError('multiple_authorization');
  return found;
}
