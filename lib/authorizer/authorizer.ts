import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import type { AccessTokenPrincipal, AccessTokenVerifier } from '../tokens/reference-verifier';
import type { Logger } from '../core/logger';

export type AuthorizerEvent = APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent | APIGatewayRequestAuthorizerEventV2;
export type AuthorizerContext = { sub: string; sid: string; scope: string };
export type AuthorizerResult = APIGatewayAuthorizerResult | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/** Optional extra check that the token's session is still live (AUTHORIZER_CHECK_SESSION). */
export type SessionLivenessCheck = (principal: AccessTokenPrincipal) => Promise<boolean>;

export interface AuthorizerDeps {
  readonly verify: AccessTokenVerifier;
  readonly isSessionLive?: SessionLivenessCheck | undefined;
  readonly logger: Logger;
}

const BEARER = /^bearer +(\S+)$/i;

/**
 * One handler for REST API TOKEN and REQUEST authorizers (IAM policy) and HTTP API v2 REQUEST
 * authorizers (simple response). Every refusal on a REST API is exactly `Error('Unauthorized')`,
 * which API Gateway turns into a 401; anything else would become a 500.
 */
export function createAuthorizerHandler(ready: Promise<AuthorizerDeps>) {
  return async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    const { verify, isSessionLive, logger } = await ready;
    const isHttpApi = 'version' in event && event.version === '2.0';
    let principal: AccessTokenPrincipal | undefined;
    try {
      principal = await verify(bearerTokenOf(event));
      if (isSessionLive && !(await isSessionLive(principal))) principal = undefined;
    } catch (error) {
      // The reason is safe to log: it names a check, never the token.
      logger.debug('authorization refused', { reason: error instanceof Error ? error.message : 'unknown' });
      principal = undefined;
    }
    const context: AuthorizerContext | undefined = principal && { sub: principal.sub, sid: principal.sid, scope: principal.scope };
    if (isHttpApi) return context ? { isAuthorized: true, context } : { isAuthorized: false, context: { sub: '', sid: '', scope: '' } };
    if (!principal || !context) throw new Error('Unauthorized');
    return {
      principalId: principal.sub,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApiArn((event as { methodArn: string }).methodArn) }],
      },
      context,
    };
  };
}

function bearerTokenOf(event: AuthorizerEvent): string {
  const header = event.type === 'TOKEN' ? event.authorizationToken : headerOf(event.headers, 'authorization');
  const match = BEARER.exec(header?.trim() ?? '');
  if (!match) throw new Error('no bearer token');
  return match[1]!;
}

function headerOf(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path}` becomes
 * `.../{apiId}/{stage}/*\/*`, so API Gateway's cached decision serves every route of the API.
 */
export function wholeApiArn(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  if (!prefix?.startsWith('arn:') || !stage) throw new Error('Unauthorized');
  return `${prefix}/${stage}/*/*`;
}
